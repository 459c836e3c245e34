"""The night's equal-treatment audit: tonight's model picks against the random controls' errors."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import pandas as pd

from audit.burden import equal_treatment
from audit.groups import age_band
from audit.night import (
    add_groups,
    choose_random_base,
    match_benefit_mix,
    night_equal_treatment,
    per_benefit_equal_treatment,
    random_stream,
)
from audit.policy import AuditPolicy, load_audit_policy
from felrisk.datadir import rows_with_ids
from scoring.config import SelectionConfig

log = logging.getLogger("felrisk.scoring")


def audit_settings(policy: AuditPolicy | None = None) -> dict:
    """The audit policy as the night's keywords: groups, band, seed, level, min_random_errors and
    n_boot (the policy's resamples.nightly).

    income_band is no group here: the night attaches no yearly pay to a person.
    """
    policy = policy or load_audit_policy()
    return {
        "groups": tuple(g for g in policy.groups if g != "income_band"),
        "band": policy.band,
        "seed": policy.seed,
        "level": policy.ci_level,
        "min_random_errors": policy.min_random_errors,
        "n_boot": policy.resamples.nightly,
    }


@dataclass
class NightFairness:
    """The pooled audit, the one within each benefit, the page's note and the base it used."""

    pooled: pd.DataFrame
    by_benefit: pd.DataFrame
    message: str
    base_source: str


def _persons_frame(data, ids: set[str]) -> pd.DataFrame:
    """Audit attributes of the given persons (rows_with_ids: no IN list of thousands of ids)."""
    t = data["persons"].select("person_id", "sex", "birth_region", "birth_date")
    if not ids:
        return t.limit(0).to_pandas()
    return rows_with_ids(t, "person_id", ids).to_pandas()


def _with_groups(
    data, random: pd.DataFrame, picks: pd.DataFrame, as_of: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The random base and the picks with their persons' audit groups, each row's once, for the
    pooled check and the one within each benefit."""
    persons = _persons_frame(data, set(random["person_id"]) | set(picks["person_id"]))
    return (
        add_groups(random, persons, as_of, age_band=age_band),
        add_groups(picks, persons, as_of, age_band=age_band),
    )


def audit_night(
    data,
    controls: pd.DataFrame,
    lst: pd.DataFrame,
    as_of: date,
    config: SelectionConfig,
    settings: dict,
    explored_ids: set[str],
) -> NightFairness:
    """Tonight's model picks against the random base (earlier exploration picks, or the random
    stream), pooled and within each benefit; `explored_ids`: earlier lists' exploration picks."""
    base = choose_random_base(
        random_stream(controls, as_of, config.equal_treatment_window_days),
        explored_ids,
        config.equal_treatment_base,
        config.equal_treatment_min_exploration_errors,
    )
    rnd, model_picks = _with_groups(data, base.controls, lst[lst["selection"] == "model"], as_of)
    settings = dict(settings, power=config.equal_treatment_power)
    groups = settings.pop("groups")
    fair, fair_msg, unmatched = _pooled(rnd, model_picks, groups, config, settings)
    fair_by_benefit = per_benefit_equal_treatment(
        rnd,
        model_picks,
        tuple(config.equal_treatment_per_benefit_groups),
        equal_treatment,
        min_picks=config.equal_treatment_per_benefit_min_picks,
        **settings,
    )
    if not fair.empty:
        fair_msg = _base_note(base.note_sv, config, unmatched)
    return NightFairness(fair, fair_by_benefit, fair_msg, base.source)


def _pooled(
    rnd: pd.DataFrame,
    picks: pd.DataFrame,
    groups: tuple[str, ...],
    config: SelectionConfig,
    settings: dict,
) -> tuple[pd.DataFrame, str, list[str]]:
    """The pooled audit, with the random errors weighed to the list's benefit mix where the
    policy says so; `unmatched`: the list's benefits with no random error to weigh."""
    unmatched: list[str] = []
    if config.equal_treatment_benefit_mix == "list":
        rnd, picks, unmatched = match_benefit_mix(rnd, picks)
    if unmatched:
        log.warning("equal treatment: no random errors to compare for %s", unmatched)
    fair, msg = night_equal_treatment(rnd, picks, groups, equal_treatment, **settings)
    return fair, msg, unmatched


def _base_note(note_sv: str, config: SelectionConfig, unmatched: list[str]) -> str:
    """The page's line on what the picks were measured against (and how it was weighed)."""
    if config.equal_treatment_benefit_mix != "list":
        return note_sv
    note_sv += (
        " Felen i slumpurvalet är vägda så att förmånerna har samma fördelning som i nattens lista."
    )
    if unmatched:
        note_sv += " Utan jämförelse (inga fel i slumpurvalet): " + ", ".join(unmatched) + "."
    return note_sv
