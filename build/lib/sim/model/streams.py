"""Named random streams: one per replication, purpose and entity, for common random numbers.

A stream is keyed by (seed, replication, purpose, entity name), never by the order in which a
scenario asks for it, so the same client or site sees the same numbers in every scenario and the
same seed gives the same numbers whatever the number of worker processes. Each purpose is
registered once, by the module that draws from it, with a number that is part of the key and
never changes (changing it would change every result).
"""

from __future__ import annotations

import zlib

import numpy as np

PURPOSES: dict[str, int] = {}


def register_stream(purpose: str, key: int) -> str:
    """Register a purpose with its fixed key; a purpose or key used twice is a programming error."""
    if purpose in PURPOSES or key in PURPOSES.values():
        raise ValueError(f"random stream {purpose} ({key}) is registered twice")
    PURPOSES[purpose] = key
    return purpose


def stream(seed: int, replication: int, purpose: str, entity: str = "") -> np.random.Generator:
    """The generator for one purpose (and entity) of one replication."""
    key = (replication, PURPOSES[purpose], zlib.crc32(entity.encode("utf-8")))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))
