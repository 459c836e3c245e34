"""What the nightly job needs from the rest of felrisk, gathered in one object so tests can fake it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NightDeps:
    """Callables of the lead's, features' and training's modules the job calls.

    validate(path) -> report with row_counts, raising ContractError;
    load_model() -> (version, bundle), raising NoModelError; model_name: registered name;
    open_data(path, engine) -> DataSet; active_spine(data, as_of) and build_features(data, spine)
    -> ibis tables; explain(data, items) -> DataFrame[case_id, feature, reason_sv] (None: the
    registry's sentence templates, `reason_templates`, filled with the feature's value);
    timeline_facts(data, persons, as_of) -> TimelineFacts;
    equal_treatment(random, selected, group, **kw) -> AuditResult; age_band(birth, as_of);
    audit_settings: dict(groups, band, seed, level, min_random_errors, n_boot) of the audit policy
    (n_boot: its resamples.nightly);
    scoring_run(as_of, version, params) -> context manager yielding a RunLogger;
    load_version(version) -> bundle (to remake a night from its manifest);
    reason_features: the features that may be told as a reason (the registry's `is_reason`: a
    fact of the person's own case that points to an error); None lets every feature be one.
    """

    validate: Callable[..., Any]
    load_model: Callable[[], tuple[int, Any]]
    model_name: str
    open_data: Callable[..., Any]
    active_spine: Callable[..., Any]
    build_features: Callable[..., Any]
    explain: Callable[..., Any] | None
    timeline_facts: Callable[..., Any]
    equal_treatment: Callable[..., Any]
    age_band: Callable[..., Any]
    audit_settings: dict
    scoring_run: Callable[..., AbstractContextManager]
    load_version: Callable[[int], Any] | None = None
    reason_templates: Mapping[str, str] = field(default_factory=dict)
    reason_features: frozenset[str] | None = None


def default_deps() -> NightDeps:
    """The real modules (imported here, not at import time of scoring)."""
    from audit.burden import equal_treatment
    from audit.groups import age_band
    from audit.policy import load_audit_policy
    from features.build import active_spine, build_features
    from features.facts import explain
    from features.registry import REGISTRY
    from felrisk.datadir import open_data
    from felrisk.validate import validate_data
    from scoring.timeline_data import fetch_timeline_facts
    from training.config import load_training_config
    from training.tracking import load_champion, load_version, start_scoring_run

    audit = load_audit_policy()
    return NightDeps(
        validate=validate_data,
        load_model=load_champion,
        model_name=load_training_config().registered_model_name,
        open_data=open_data,
        active_spine=active_spine,
        build_features=build_features,
        explain=explain,
        timeline_facts=fetch_timeline_facts,
        equal_treatment=equal_treatment,
        age_band=age_band,
        audit_settings={
            "groups": tuple(g for g in audit.groups if g != "income_band"),
            "band": audit.band,
            "seed": audit.seed,
            "level": audit.ci_level,
            "min_random_errors": audit.min_random_errors,
            "n_boot": audit.resamples.nightly,
        },
        scoring_run=start_scoring_run,
        load_version=load_version,
        reason_templates={name: f.reason_sv for name, f in REGISTRY.items() if f.is_reason},
        reason_features=frozenset(name for name, f in REGISTRY.items() if f.is_reason),
    )
