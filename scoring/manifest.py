"""manifest.json: what a night's list was made from (data, model, config) so it can be remade."""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

import felrisk
from felrisk.config import parse_config
from felrisk.datadir import table_digests
from felrisk.errors import ContractError
from felrisk.safeio import write_text
from scoring.config import SelectionConfig

MANIFEST_VERSION = 1
# Libraries whose versions decide the bytes of a list (scores, Parquet encoding, SQL results).
_PACKAGES = ("lightgbm", "numpy", "pandas", "pyarrow", "duckdb", "ibis-framework", "scikit-learn")


def package_versions() -> dict[str, str]:
    """Versions of Python and of the libraries a byte-for-byte rerun needs."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def input_fingerprint(data_dir: Path, row_counts: dict[str, int]) -> dict[str, dict]:
    """sha256 and row count of every contract table (or of the one DuckDB file)."""
    return {
        name: {"file": p.name, "sha256": digest, "rows": row_counts.get(name)}
        for name, (p, digest) in table_digests(data_dir).items()
        if digest is not None
    }


def night_counts(
    n_active: int, cooled: set, confirmed: set, lst: pd.DataFrame, use: pd.DataFrame
) -> dict:
    """The manifest's counts: the night in totals, and per benefit and lane its capacity, picks
    and unused slots with why (eligible cases, those below the value floor, those whose person
    is already on the list)."""
    per = {}
    for r in use.itertuples(index=False):
        grp = lst[(lst["benefit"] == r.benefit) & (lst["lane"] == r.lane)]
        per[f"{r.benefit}/{r.lane}"] = {
            "capacity": int(r.capacity),
            "selected": int(r.selected),
            "exploration": int(r.exploration),
            "unused": int(r.unused),
            "unused_reason": r.unused_reason,
            "eligible": int(r.eligible),
            "below_floor": int(r.below_floor),
            "person_taken": int(r.person_taken),
            "hard_rule_break": int(grp["hard_rule_break"].sum()),
            "expected_wrong_sek": round(float(grp["expected_wrong_sek"].fillna(0).sum()), 2),
        }
    return {
        "active_cases": n_active,
        "scored_cases": n_active,
        "persons_in_cooldown": len(cooled),
        "confirmed_errors_excluded": len(confirmed),
        "selected": len(lst),
        "selected_model": int((lst["selection"] == "model").sum()),
        "selected_exploration": int((lst["selection"] == "exploration").sum()),
        "capacity": int(use["capacity"].sum()),
        "unused_capacity": int(use["unused"].sum()),
        "lists": per,
    }


@dataclass
class Manifest:
    """The record of one night; `to_json` is sorted and stable."""

    as_of: date
    model_name: str
    model_version: int
    feature_version: str
    engine: str
    config: SelectionConfig
    config_source: str
    inputs: dict[str, dict]
    issued_lists: dict[str, str] = field(default_factory=dict)
    counts: dict[str, object] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    audit: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "manifest_version": MANIFEST_VERSION,
            "as_of": self.as_of.isoformat(),
            "felrisk_version": felrisk.__version__,
            "packages": package_versions(),
            "model": {
                "name": self.model_name,
                "version": self.model_version,
                "alias": "champion",
                "feature_version": self.feature_version,
            },
            "engine": self.engine,
            "config": self.config.model_dump(mode="json"),
            "config_source": self.config_source,
            "audit": {k: list(v) if isinstance(v, tuple) else v for k, v in self.audit.items()},
            "inputs": self.inputs,
            "issued_lists_for_cooldown": self.issued_lists,
            "counts": self.counts,
            "timings_s": {k: round(v, 3) for k, v in self.timings_s.items()},
            "outputs_sha256": self.outputs,
            "notes": self.notes,
        }

    def write(self, path: Path) -> Path:
        return write_text(
            path, json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )


# What a night can be remade from; a manifest without one of these is refused, naming it.
REQUIRED_KEYS = ("as_of", "model", "engine", "config", "inputs", "outputs_sha256")
# What changes from one run of the same night to the next: wall times, and how the policy came.
VOLATILE_KEYS = ("timings_s", "config_source")


def read_manifest(path: Path) -> dict:
    """A manifest as a dict; unreadable JSON or a missing key is bad input (ContractError)."""
    path = Path(path)
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractError(f"{path}: not a manifest (JSON): {exc}") from exc
    missing = [k for k in REQUIRED_KEYS if not isinstance(m, dict) or k not in m]
    if not missing and not {"name", "version"} <= set(m["model"]):
        missing = ["model.name/model.version"]
    if missing:
        raise ContractError(f"{path}: manifest lacks {', '.join(missing)}")
    return m


# What a policy recorded before a field existed meant by its absence: a night recorded then is
# remade as it was selected. Not defaults: a policy file must set every field (selection.toml).
RECORDED_BEFORE = {
    "rank_by": "expected_sek",
    "intent_basis": "given_error",
    "investigation_rank_by": "rank_by",
    "hard_rule_features": [],
    "reasons_per_case": 3,
    "reason_exclude_features": [],
    "reason_notable_above": {},
    "reason_notable_below": {},
    "equal_treatment_window_days": 730,
    "equal_treatment_benefit_mix": "pooled",
    "equal_treatment_base": "auto",
    "equal_treatment_min_exploration_errors": 50,
    "equal_treatment_per_benefit_groups": ["sex"],
    "equal_treatment_per_benefit_min_picks": 20,
    "equal_treatment_power": 0.8,
    "min_probability": 0.0,
    "min_expected_wrong_sek": 0.0,
    "investigation_min_probability": 0.0,
    "notice": None,
}
# Fields a policy once held and the audit policy (audit.toml) holds now.
MOVED_TO_AUDIT = ("equal_treatment_n_boot",)


def config_from_manifest(path: Path) -> SelectionConfig:
    """The exact selection policy a night used, to run it again (an older manifest's missing
    fields take what their absence meant then, RECORDED_BEFORE)."""
    recorded = dict(read_manifest(path)["config"])
    for key in MOVED_TO_AUDIT:
        recorded.pop(key, None)
    return parse_config(SelectionConfig, {**RECORDED_BEFORE, **recorded}, source=f"{path} config")


def audit_from_manifest(path: Path, current: dict) -> dict:
    """The equal-treatment settings a night used (the page's intervals depend on them); a
    manifest from before they were recorded: `current`, with the resample count its policy
    recorded then."""
    m = read_manifest(path)
    recorded = m.get("audit")
    if recorded:
        return {k: tuple(v) if isinstance(v, list) else v for k, v in recorded.items()}
    n_boot = m["config"].get("equal_treatment_n_boot")
    return dict(current, n_boot=n_boot) if n_boot is not None else dict(current)


def manifest_differences(old: dict, new: dict) -> list[str]:
    """Top-level keys whose values differ between two manifests of one night, volatile ones aside."""
    keys = (set(old) | set(new)) - set(VOLATILE_KEYS)
    return sorted(k for k in keys if old.get(k) != new.get(k))


def input_mismatches(manifest: dict, data_dir: Path) -> list[str]:
    """Tables whose bytes differ from what the manifest recorded (empty: same data)."""
    now = input_fingerprint(Path(data_dir), {})
    bad = []
    for name, rec in manifest["inputs"].items():
        if name not in now:
            bad.append(f"{name}: missing")
        elif now[name]["sha256"] != rec["sha256"]:
            bad.append(f"{name}: sha256 differs")
    return bad
