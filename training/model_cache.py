"""A local, owner-only cache of registered model versions, so a night loads its model from disk.

MLflow's loader copies the artifacts and scans every installed package's metadata to compare with
the model's requirements (2.3 of its 2.6 s on the 2-core machine); the model itself unpickles in
a tenth of that. The first load of a version goes through MLflow (its checks included) and keeps
the version's pickled model here; later loads read it back after checking it.

An entry's key is the registry's own identity of the version (name, version, the run and model
ids, when it was registered) and the versions of the packages the model pins: a new version, a
store made afresh (new run ids) or an upgraded LightGBM is a miss. The file's name carries the
SHA-256 of its bytes, checked before unpickling; a folder or file that others could write is not
read. Writing a version removes the model's other entries.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path

from felrisk.environment import environment
from felrisk.safeio import make_dir, write_bytes

log = logging.getLogger(__name__)

CACHE_FOLDER = "model-cache"


def default_folder(store_folder: Path | None) -> Path:
    """Beside the embedded store's database (as private as the models in it), else the user's
    cache folder (`$XDG_CACHE_HOME/felrisk/models`, by default under `~/.cache`)."""
    if store_folder is not None:
        return Path(store_folder).resolve() / CACHE_FOLDER
    base = environment().XDG_CACHE_HOME or Path.home() / ".cache"
    return Path(base).resolve() / "felrisk" / "models"


def entry_key(name: str, version: int, identity: Mapping[str, object]) -> str:
    """A hex digest of the model's name, version and everything else that identifies its bytes."""
    text = json.dumps({"name": name, "version": int(version), **identity}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def _private(path: Path) -> bool:
    """Ours, and writable by nobody else: anything else could hand us a pickle to run."""
    st = path.lstat()
    return (
        not stat.S_ISLNK(st.st_mode)
        and st.st_uid == os.getuid()
        and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


class ModelCache:
    """Pickled model versions in one folder, one file per model: `<name>-v<version>-<key>-<sha>.pkl`."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _prefix(self, name: str, version: int, key: str) -> str:
        return f"{_stem(name)}-v{int(version)}-{key[:24]}-"

    def get(self, name: str, version: int, key: str) -> bytes | None:
        """The entry's bytes, or None: absent, not private, or not the bytes its name promises."""
        if not self.folder.is_dir() or not _private(self.folder):
            return None
        prefix = self._prefix(name, version, key)
        for path in sorted(self.folder.glob(f"{prefix}*.pkl")):
            digest = path.name[len(prefix) : -len(".pkl")]
            if not _private(path):
                log.warning("model cache: %s is writable by others; not read", path)
                continue
            payload = path.read_bytes()
            if hashlib.sha256(payload).hexdigest() == digest:
                return payload
            log.warning("model cache: %s does not hold the bytes its name says; removed", path)
            path.unlink(missing_ok=True)
        return None

    def put(self, name: str, version: int, key: str, payload: bytes) -> Path:
        """Keep `payload` as the entry, private, and drop the model's other entries."""
        make_dir(self.folder)
        digest = hashlib.sha256(payload).hexdigest()
        target = self.folder / f"{self._prefix(name, version, key)}{digest}.pkl"
        write_bytes(target, payload)
        mine = re.compile(rf"{re.escape(_stem(name))}-v\d+-[0-9a-f]{{24}}-[0-9a-f]{{64}}\.pkl")
        for old in self.folder.iterdir():
            if old != target and mine.fullmatch(old.name):
                old.unlink(missing_ok=True)
        return target
