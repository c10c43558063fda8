"""Results folders: each is claimed by one run, and complete once its command's DONE file is there.

A run claims its folder with `.claimed`, which names its owner (pid, host, start time) and appears
whole (a hard link to a finished file). A second run given the same folder is refused while the
owner lives; the claim of a run that was killed is taken over, one run at a time, and what that run
left unfinished is removed. A folder that holds a DONE file (`sim.experiment.outputs.DONE`) is never
written again.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
from contextlib import suppress
from pathlib import Path

from sim.config import ConfigError
from sim.experiment.outputs import DONE, remove_unfinished


def take(folder: Path) -> Path:
    """Claim a new results folder for this run alone: a folder that holds results, or that a live
    run has claimed (two runs given one hydra.run.dir), is refused. A claim whose run is gone
    (killed) is taken over; what that run left unfinished is removed."""
    holds_results = f"hydra.run.dir '{folder}' already holds results; choose a new folder."
    if finished(folder):
        raise ConfigError(holds_results)
    claim(folder)
    if finished(folder):  # the claim taken over was a run's that finished meanwhile
        claimed.discard(folder)
        (folder / CLAIM).unlink()
        raise ConfigError(holds_results)
    remove_unfinished(folder)
    return folder


CLAIM = ".claimed"  # made atomically by the run that writes a results folder; it names its owner
CLAIM_LOCK = ".claimed.lock"  # held while a dead run's claim is taken over
claimed: set[Path] = set()  # the folders this process claimed


def finished(folder: Path) -> bool:
    """Whether a folder holds a command's complete results (the file each writes last)."""
    return any((folder / name).exists() for name in DONE)


def claim(folder: Path) -> None:
    """Claim `folder` for this process. The claim appears whole (a hard link to a complete file),
    so a racing run never reads half of it; a dead run's claim is removed first."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, draft = tempfile.mkstemp(dir=folder, prefix=f"{CLAIM}.")
    os.chmod(draft, 0o644)  # readable by another user's run, which may find it
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        json.dump(owner(), file)
    try:
        for _ in range(3):  # each pass removes a stale claim; a live one is refused at once
            try:
                os.link(draft, folder / CLAIM)
                claimed.add(folder)
                return
            except FileExistsError:
                pass
            try:
                found = (folder / CLAIM).read_bytes()
            except FileNotFoundError:  # taken over or given up meanwhile: try again
                continue
            holder = claim_owner(found)
            if holder is not None and owner_alive(holder):
                raise ConfigError(in_use(folder, holder))
            remove_stale_claim(folder, found)
    finally:
        os.unlink(draft)
    raise ConfigError(f"hydra.run.dir '{folder}' is in use by another run; choose a new folder.")


def owner() -> dict:
    """Who claims a folder: this process on this host, with its start time, so that a process that
    later gets the same pid is not taken for it."""
    status = process_status(os.getpid())
    return {"pid": os.getpid(), "host": socket.gethostname(), "started": status[1] if status else None}


def claim_owner(content: bytes) -> dict | None:
    """The owner a claim names; None for a claim that names none (an older version's, empty)."""
    try:
        holder = json.loads(content)
    except ValueError:
        return None
    if not isinstance(holder, dict) or not isinstance(holder.get("host"), str):
        return None
    pid = holder.get("pid")
    return holder if type(pid) is int and 0 < pid < 2**31 else None


def owner_alive(holder: dict) -> bool:
    """Whether a claim's run may still be running: not on another host, which cannot be checked."""
    if holder["host"] != socket.gethostname() or os.name != "posix":  # on Windows os.kill(pid, 0) ends it
        return True
    try:
        os.kill(holder["pid"], 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        pass
    status = process_status(holder["pid"])
    if status is None:  # no /proc: the pid alone says it
        return True
    state, started = status
    return state not in ("Z", "X") and holder.get("started") in (None, started)


def process_status(pid: int) -> tuple[str, int] | None:
    """A process's state (Z: ended, not yet reaped) and start time (clock ticks after boot) from
    /proc (Linux); None where that cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return None
    state, *rest = stat.rpartition(")")[2].split()
    return state, int(rest[18])


def remove_stale_claim(folder: Path, found: bytes) -> None:
    """Remove a dead run's claim. Runs that found it dead remove it one at a time (a lock the system
    releases even for a run that is killed), each only if it is still the claim it found."""
    import fcntl  # POSIX only, as is taking a claim over (owner_alive)

    with open(folder / CLAIM_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with suppress(FileNotFoundError):
            if (folder / CLAIM).read_bytes() == found:
                (folder / CLAIM).unlink()


def in_use(folder: Path, holder: dict) -> str:
    """The sentence for a folder that a live run (or a run on another host) has claimed."""
    if holder["host"] != socket.gethostname():
        return (
            f"hydra.run.dir '{folder}' is claimed by process {holder['pid']} on host {holder['host']};"
            f" choose a new folder (or, if that run has ended, delete {folder / CLAIM})."
        )
    return f"hydra.run.dir '{folder}' is in use by another run (process {holder['pid']}); choose a new folder."
