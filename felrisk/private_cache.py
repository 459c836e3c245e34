"""An owner-only folder of byte entries, each file named by its entry and the SHA-256 of its bytes.

What a night keeps between runs to skip work (a model version's pickle, the feature query's
compiled SQL) is read back only from a folder and a file that are ours and writable by nobody
else, and only when the bytes are those the name promises: anything else could hand us code to
run. Writing an entry removes the same name's other entries.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
from pathlib import Path

from felrisk.safeio import make_dir, write_bytes

log = logging.getLogger(__name__)


def _stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def _private(path: Path) -> bool:
    """Ours, and writable by nobody else."""
    st = path.lstat()
    return (
        not stat.S_ISLNK(st.st_mode)
        and st.st_uid == os.getuid()
        and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


class PrivateCache:
    """Entries in one folder, one file per name: `<name>-v<version>-<key>-<sha><suffix>`."""

    def __init__(self, folder: Path, suffix: str) -> None:
        self.folder = Path(folder)
        self.suffix = suffix

    def _prefix(self, name: str, version: int, key: str) -> str:
        return f"{_stem(name)}-v{int(version)}-{key[:24]}-"

    def get(self, name: str, version: int, key: str) -> bytes | None:
        """The entry's bytes, or None: absent, not private, or not the bytes its name promises."""
        if not self.folder.is_dir() or not _private(self.folder):
            return None
        prefix = self._prefix(name, version, key)
        for path in sorted(self.folder.glob(f"{prefix}*{self.suffix}")):
            digest = path.name[len(prefix) : -len(self.suffix)]
            if not _private(path):
                log.warning("cache: %s is writable by others; not read", path)
                continue
            payload = path.read_bytes()
            if hashlib.sha256(payload).hexdigest() == digest:
                return payload
            log.warning("cache: %s does not hold the bytes its name says; removed", path)
            path.unlink(missing_ok=True)
        return None

    def put(self, name: str, version: int, key: str, payload: bytes) -> Path:
        """Keep `payload` as the entry, private, and drop the name's other entries."""
        make_dir(self.folder)
        digest = hashlib.sha256(payload).hexdigest()
        target = self.folder / f"{self._prefix(name, version, key)}{digest}{self.suffix}"
        write_bytes(target, payload)
        mine = re.compile(
            rf"{re.escape(_stem(name))}-v\d+-[0-9a-f]{{24}}-[0-9a-f]{{64}}{re.escape(self.suffix)}"
        )
        for old in self.folder.iterdir():
            if old != target and mine.fullmatch(old.name):
                old.unlink(missing_ok=True)
        return target
