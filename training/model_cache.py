"""A local, owner-only cache of registered model versions, so a night loads its model from disk.

MLflow's loader copies the artifacts and scans every installed package's metadata to compare with
the model's requirements (2.3 of its 2.6 s on the 2-core machine); the model itself unpickles in
a tenth of that. The first load of a version goes through MLflow (its checks included) and keeps
the version's pickled model here; later loads read it back after checking it.

An entry's key is the registry's own identity of the version (name, version, the run and model
ids, when it was registered) and the versions of the packages the model pins: a new version, a
store made afresh (new run ids) or an upgraded LightGBM is a miss. The file's name carries the
SHA-256 of its bytes, checked before unpickling; a folder or file that others could write is not
read (felrisk/private_cache.py). Writing a version removes the model's other entries.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from felrisk.environment import environment
from felrisk.private_cache import PrivateCache

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


class ModelCache(PrivateCache):
    """Pickled model versions in one folder, one file per model: `<name>-v<version>-<key>-<sha>.pkl`."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder, ".pkl")
