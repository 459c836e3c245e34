"""Which MLflow store felrisk uses: MLflow's own settings first, the embedded SQLite store otherwise.

`MLFLOW_TRACKING_URI` (a team's `mlflow server`, a database) wins, and `MLFLOW_REGISTRY_URI`
where set names the registry; without them felrisk uses its embedded store, SQLite in
`felrisk.paths.mlruns_dir()` with artifacts beside it. Every command that touches MLflow says
which store it uses (`Store.describe`), with any password in the address masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from felrisk.environment import environment
from felrisk.paths import mlruns_dir

DB_FILE = "mlflow.db"


@dataclass(frozen=True)
class Store:
    """A tracking and a registry address; `folder` is the embedded store's, None for any other."""

    tracking_uri: str
    registry_uri: str
    source: str
    folder: Path | None = None

    @property
    def embedded(self) -> bool:
        return self.folder is not None

    def artifact_root(self, experiment: str) -> str | None:
        """Where a new experiment's artifacts go: under the embedded folder, else the server's."""
        if self.folder is None:
            return None
        return (self.folder / "artifacts" / experiment).as_uri()

    def exists(self) -> bool:
        """Whether there is a store to read. An embedded one needs its database (not empty);
        any other store answers for itself when asked."""
        if self.folder is None:
            return True
        db = self.folder / DB_FILE
        return db.is_file() and db.stat().st_size > 0

    def describe(self) -> str:
        """One line: the addresses (passwords masked) and where they came from."""
        text = f"{redact(self.tracking_uri)} ({self.source})"
        if self.registry_uri != self.tracking_uri:
            text += f", registry {redact(self.registry_uri)} (MLFLOW_REGISTRY_URI)"
        return text


def current_store() -> Store:
    """The store the environment names now (read afresh: tests and notebooks change it)."""
    env = environment()
    registry, tracking = env.MLFLOW_REGISTRY_URI, env.MLFLOW_TRACKING_URI
    if tracking:
        return Store(tracking, registry or tracking, "MLFLOW_TRACKING_URI")
    folder = mlruns_dir()
    uri = f"sqlite:///{(folder / DB_FILE).as_posix()}"
    where = (
        "embedded, FELRISK_MLRUNS"
        if env.FELRISK_MLRUNS is not None
        else "embedded, mlruns/ in the working folder"
    )
    return Store(uri, registry or uri, where, folder)


def redact(uri: str) -> str:
    """The address with any password replaced by `***` (addresses end up on consoles and logs)."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username or ''}:***@{host}"
    return urlunsplit(parts._replace(netloc=netloc))
