"""Past nights replayed: each policy's list for each night, from what was known by D-1.

A policy is a way of ranking the same scored cases (hybrid, model alone, rules alone) or the
random draw. Every policy goes through the nightly job's own selection (capacities, lanes,
exploration share, value floor, cooldown, no second pick of a confirmed error), with its own
history: its earlier replayed picks cool their persons down as issued lists do, and a case it
has already picked is not picked again within the backtest (its control is under way or done).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from felrisk.contract import BENEFITS
from scoring.config import LANE_VERIFICATION, SelectionConfig
from scoring.selection import (
    confirmed_error_cases,
    cooldown_persons,
    exploration_draw,
    select_controls,
)

PICK_COLUMNS = ("policy", "as_of", "case_id", "person_id", "benefit", "lane", "selection")
RANDOM_SELECTION = "random"
# The random policy's draw must differ from the lists' own exploration draw of the same night.
_RANDOM_SEED_OFFSET = 7919
KINDS = ("hybrid", "model", "rules", "random")


@dataclass(frozen=True)
class PolicySpec:
    """A replayed policy: its name in the tables, how it ranks, and whose scores it ranks."""

    name: str
    kind: str
    source: str = "model"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"policy kind {self.kind!r} is not one of {', '.join(KINDS)}")


def standard_policies(kinds: Iterable[str], source: str = "model") -> list[PolicySpec]:
    """One policy per kind, all ranking the scores of one model (named by the kind)."""
    return [PolicySpec(kind, kind, source) for kind in kinds]


def night_dates(first: date, last: date, every_days: int) -> list[date]:
    """Nights from `first` to `last` (inclusive), `every_days` apart."""
    if last < first:
        raise ValueError(f"the last night {last} is before the first {first}")
    return [first + timedelta(days=d) for d in range(0, (last - first).days + 1, every_days)]


def policy_frame(scored: pd.DataFrame, policy: str) -> pd.DataFrame:
    """The scored cases as `policy` ranks them: probability and expected SEK replaced.

    hybrid: as scored. model: the model's calibrated probability alone. rules: the learnt
    precision of the strongest rule a case breaks (0 where it breaks none; such cases are never
    a rules-only pick, see `drop_non_rule_picks`).
    """
    if policy == "hybrid":
        return scored
    if policy == "model":
        p = scored["model_probability"].astype(float)
    elif policy == "rules":
        p = scored["rule_probability"].astype(float).fillna(0.0)
    else:
        raise ValueError(f"policy {policy!r} ranks no scores")
    return scored.assign(
        probability=p, score=p, expected_wrong_sek=p * scored["amount_sek"].astype(float)
    )


def drop_non_rule_picks(lst: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """Rules alone pick only rule breakers; a model pick breaking no rule is left empty."""
    breaks = set(scored.loc[scored["rule_probability"].notna(), "case_id"].astype(str))
    keep = (lst["selection"] != "model") | lst["case_id"].astype(str).isin(breaks)
    return lst[keep]


def random_list(
    scored: pd.DataFrame, config: SelectionConfig, as_of: date, excluded_persons: set[str]
) -> pd.DataFrame:
    """Each benefit's whole capacity drawn at random from its eligible cases (one per person)."""
    picks = []
    pool = scored[~scored["person_id"].astype(str).isin(excluded_persons)]
    pool = pool.sort_values("case_id", kind="mergesort").drop_duplicates("person_id")
    for benefit in BENEFITS:
        cases = pool.loc[pool["benefit"] == benefit, "case_id"]
        slots = min(config.capacity_for(benefit).total, len(cases))
        seed = config.seed + _RANDOM_SEED_OFFSET
        ids = exploration_draw(cases, slots, seed, as_of, benefit)
        picks.append(pool[pool["case_id"].isin(ids)])
    out = pd.concat(picks, ignore_index=True) if picks else pool.iloc[:0]
    return out.assign(as_of=as_of, lane=LANE_VERIFICATION, selection=RANDOM_SELECTION)


def select_for_policy(
    policy: str,
    scored: pd.DataFrame,
    config: SelectionConfig,
    *,
    as_of: date,
    cooled: set[str],
    excluded_cases: set[str],
) -> pd.DataFrame:
    """One policy's list for one night (PICK_COLUMNS)."""
    eligible = scored[~scored["case_id"].astype(str).isin(excluded_cases)]
    if policy == "random":
        lst = random_list(eligible, config, as_of, cooled)
    else:
        lst = select_controls(
            policy_frame(eligible, policy), config, as_of=as_of, cooled_persons=cooled
        )
        if policy == "rules":
            lst = drop_non_rule_picks(lst, eligible)
    return lst.assign(policy=policy, as_of=as_of)[list(PICK_COLUMNS)]


def replay(
    nights: Sequence[date],
    score_night: Callable[[date], Mapping[str, pd.DataFrame]],
    controls: pd.DataFrame,
    config: SelectionConfig,
    policies: Iterable[PolicySpec],
    on_night: Callable[[date, int], None] | None = None,
) -> pd.DataFrame:
    """Every policy's picks over `nights` (PICK_COLUMNS), each night from what D-1 knew.

    `score_night(D)` returns, per source name, the scored active cases of D (the nightly job's
    frame plus the policy columns model_probability, rule_probability, amount_sek). `controls`
    is the whole controls table: only rows selected (cooldown) or closed (confirmed errors) by
    D-1 are used.
    """
    policies = list(policies)
    history: dict[str, list[pd.DataFrame]] = {p.name: [] for p in policies}
    out: list[pd.DataFrame] = []
    for i, night in enumerate(nights):
        scored = score_night(night)
        confirmed = confirmed_error_cases(controls, night)
        for spec in policies:
            earlier = (
                pd.concat(history[spec.name], ignore_index=True)
                if history[spec.name]
                else pd.DataFrame({"person_id": [], "as_of": [], "case_id": []})
            )
            cooled = cooldown_persons(
                controls, night, config.cooldown_days, earlier[["person_id", "as_of"]]
            )
            excluded = set(confirmed) | set(earlier["case_id"].astype(str))
            lst = select_for_policy(
                spec.kind,
                scored[spec.source],
                config,
                as_of=night,
                cooled=cooled,
                excluded_cases=excluded,
            ).assign(policy=spec.name)
            history[spec.name].append(lst[["person_id", "as_of", "case_id"]])
            out.append(lst)
        if on_night is not None:
            on_night(night, i)
    if not out:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PICK_COLUMNS})
    picks = pd.concat(out, ignore_index=True)
    picks["case_id"] = picks["case_id"].astype(str)
    picks["person_id"] = picks["person_id"].astype(str)
    return picks.astype({"as_of": object}).reset_index(drop=True)


def capacity_total(config: SelectionConfig) -> int:
    """Cases all lists of one night could hold together."""
    return int(np.sum([config.capacity_for(b).total for b in BENEFITS]))
