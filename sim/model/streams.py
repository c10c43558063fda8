"""Named random streams: one per replication, purpose and entity, for common random numbers.

A stream is keyed by (seed, replication, purpose, entity name), never by the order in which a
scenario asks for it, so the same client or site sees the same numbers in every scenario and the
same seed gives the same numbers whatever the number of worker processes.
"""

from __future__ import annotations

import zlib

import numpy as np

PURPOSES = ("population", "attendance", "durations", "walkins", "absence", "turnover")


def stream(seed: int, replication: int, purpose: str, entity: str = "") -> np.random.Generator:
    """The generator for one purpose (and entity) of one replication."""
    key = (replication, PURPOSES.index(purpose), zlib.crc32(entity.encode("utf-8")))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))
