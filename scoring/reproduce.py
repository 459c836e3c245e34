"""Remake a night from its manifest and the data: same inputs, model version and policy, same bytes.

The manifest pins the bytes of every input table, the earlier lists the cooldown read, the model
version and the whole selection policy; this checks the first two before it runs, and then
compares every new file with the recorded hashes, and the new manifest with the old.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from felrisk.datadir import file_sha256
from felrisk.errors import ConfigError, ContractError
from scoring.fairness import audit_settings
from scoring.job import NightResult, default_models, run_nightly
from scoring.manifest import (
    audit_from_manifest,
    config_from_manifest,
    input_mismatches,
    manifest_differences,
    read_manifest,
)
from scoring.ports import Bundle, DataSource, ModelRegistry


@dataclass
class Reproduction:
    """The remade night: per list file the recorded and the new SHA-256, and the manifest's
    top-level keys that differ (wall times and the policy's source aside)."""

    result: NightResult
    expected: dict[str, str]
    actual: dict[str, str]
    manifest_differs: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return bool(self.expected) and self.expected == self.actual and not self.manifest_differs

    def summary(self) -> list[str]:
        """One line per file: `same` or `DIFFERS`, the manifest last."""
        lines = [
            f"{name}: {'same' if self.actual.get(name) == digest else 'DIFFERS'}"
            for name, digest in sorted(self.expected.items())
        ]
        differs = ", ".join(self.manifest_differs)
        lines.append(f"manifest.json: {'DIFFERS in ' + differs if differs else 'same'}")
        return lines


class _Silent:
    """A run logger that logs nothing."""

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None


@dataclass(frozen=True)
class _Recorded:
    """The manifest's model, loaded once: champion for the remake, which logs no scoring run
    (a remake is no night)."""

    registered_name: str
    version: int
    bundle: Bundle

    def load_champion(self) -> tuple[int, Bundle]:
        return self.version, self.bundle

    def load_version(self, version: int) -> Bundle:
        return self.bundle

    @contextmanager
    def scoring_run(self, *args, **kwargs) -> Iterator[_Silent]:
        yield _Silent()


def _check_issued(manifest: dict, lists_dir: Path) -> list[str]:
    bad = []
    for day, digest in manifest.get("issued_lists_for_cooldown", {}).items():
        f = Path(lists_dir) / day / "control_list.parquet"
        if not f.exists():
            bad.append(f"{day}/control_list.parquet: missing")
        elif file_sha256(f) != digest:
            bad.append(f"{day}/control_list.parquet: sha256 differs")
    return bad


def reproduce_night(
    manifest_path: Path,
    data_dir: Path,
    out: Path,
    *,
    lists_dir: Path | None = None,
    models: ModelRegistry | None = None,
    source: DataSource | None = None,
    console=None,
) -> Reproduction:
    """Run the night of MANIFEST again into OUT and compare the list files' SHA-256.

    `lists_dir` holds the earlier lists the original night's cooldown read (default: the folder
    above the manifest's night). Raises ContractError when the data or those lists differ from
    what the manifest recorded, NoModelError when the recorded model version cannot be loaded.
    """
    manifest_path = Path(manifest_path)
    m = read_manifest(manifest_path)
    lists_dir = Path(lists_dir) if lists_dir is not None else manifest_path.parent.parent
    if Path(out).resolve() == lists_dir.resolve():
        raise ConfigError(
            f"--out {out} holds the night to compare with; remake it into another folder"
        )
    bad = input_mismatches(m, Path(data_dir)) + _check_issued(m, lists_dir)
    if bad:
        raise ContractError(
            f"cannot remake {m['as_of']}: the inputs differ from the manifest: " + "; ".join(bad),
            bad,
        )
    models = models or default_models()
    version = int(m["model"]["version"])
    recorded = _Recorded(m["model"]["name"], version, models.load_version(version))
    result = run_nightly(
        Path(data_dir),
        as_of=date.fromisoformat(m["as_of"]),
        out=Path(out),
        engine=m["engine"],
        config=config_from_manifest(manifest_path),
        audit=audit_from_manifest(manifest_path, audit_settings()),
        models=recorded,
        source=source,
        issued_from=lists_dir,
        console=console,
    )
    expected = dict(m["outputs_sha256"])
    actual = {name: file_sha256(result.folder / name) for name in expected}
    again = read_manifest(result.folder / "manifest.json")
    return Reproduction(result, expected, actual, manifest_differences(m, again))
