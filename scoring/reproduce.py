"""Remake a night from its manifest and the data: same inputs, model version and policy, same bytes.

The manifest pins the bytes of every input table, the earlier lists the cooldown read, the model
version and the whole selection policy; this checks the first two before it runs, and then
compares the new list's hashes with the recorded ones.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from felrisk.datadir import file_sha256
from felrisk.errors import ContractError, NoModelError
from scoring.deps import NightDeps, default_deps
from scoring.job import NightResult, run_nightly
from scoring.manifest import config_from_manifest, input_mismatches, read_manifest


@dataclass
class Reproduction:
    """The remade night and, per list file, whether its bytes equal the recorded ones."""

    result: NightResult
    expected: dict[str, str]
    actual: dict[str, str]

    @property
    def identical(self) -> bool:
        return bool(self.expected) and self.expected == self.actual


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
    deps: NightDeps | None = None,
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
    bad = input_mismatches(m, Path(data_dir)) + _check_issued(m, lists_dir)
    if bad:
        raise ContractError(
            f"cannot remake {m['as_of']}: the inputs differ from the manifest: " + "; ".join(bad),
            bad,
        )
    deps = deps or default_deps()
    if deps.load_version is None:
        raise NoModelError("no way to load a given model version (deps.load_version)")
    version = int(m["model"]["version"])
    bundle = deps.load_version(version)
    deps = replace(deps, load_model=lambda: (version, bundle), model_name=m["model"]["name"])
    result = run_nightly(
        Path(data_dir),
        as_of=date.fromisoformat(m["as_of"]),
        out=Path(out),
        engine=m["engine"],
        config=config_from_manifest(manifest_path),
        deps=deps,
        issued_from=lists_dir,
        console=console,
    )
    expected = dict(m["outputs_sha256"])
    actual = {name: file_sha256(result.folder / name) for name in expected}
    return Reproduction(result, expected, actual)
