"""Expensive session fixtures built once per test run, not once per xdist worker."""

from __future__ import annotations

import fcntl
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")


def once_per_session(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], T]
) -> T:
    """`build(folder)`'s result, built once however many xdist workers ask for it.

    pytest-xdist builds a session fixture once per worker. Here the first worker to take the lock
    in the folder all workers share builds into `folder` and pickles the result; the others wait
    on the lock and read it (the pytest-xdist recipe for session fixtures that run once). What
    `build` leaves in `folder` is shared too: tests read it and copy what they change.
    """
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return build(tmp_path_factory.mktemp(name))
    root = tmp_path_factory.getbasetemp().parent
    folder, result = root / name, root / f"{name}.pickle"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or the worker dies
        if result.exists():
            return pickle.loads(result.read_bytes())
        folder.mkdir(exist_ok=True)
        value = build(folder)
        result.write_bytes(pickle.dumps(value))
        return value
