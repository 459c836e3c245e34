"""The champion gate: equal treatment first, then a paired comparison with the current champion."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from audit import PAIR_SEPARATOR, AuditResult, equal_treatment, pair_labels
from audit.burden import VERDICT_TOO_FEW
from felrisk.bootstrap import bootstrap
from training.metrics import Estimate
from training.metrics_ranking import top_k_take


def paired_gain_at_k(
    y: np.ndarray,
    challenger: np.ndarray,
    champion: np.ndarray,
    k: int,
    *,
    n_boot: int,
    seed: int,
    level: float = 0.95,
) -> Estimate:
    """Challenger's hit rate at k minus the champion's, both on the same bootstrap resamples.

    Pairing removes the noise the two share (the same test rows), so a real difference shows
    where two separate intervals would merely overlap.
    """
    y = np.asarray(y, dtype=float)
    a = np.argsort(-np.asarray(challenger, dtype=float), kind="stable")
    b = np.argsort(-np.asarray(champion, dtype=float), kind="stable")
    ya, yb = y[a], y[b]

    def stat(c: np.ndarray) -> np.ndarray:
        return (top_k_take(c, a, k) @ ya - top_k_take(c, b, k) @ yb) / k

    return bootstrap(stat, len(y), n_boot=n_boot, seed=seed, level=level)


@dataclass(frozen=True)
class AuditVerdict:
    """Failing groups after the multiple-testing adjustment, and what the adjustment did."""

    failures: list[str]
    unadjusted: list[str]
    n_tested: int
    level: float

    def note(self) -> str | None:
        cleared = [f for f in self.unadjusted if f not in self.failures]
        if not cleared:
            return None
        return (
            f"{', '.join(cleared)} outside the band at 95 % but not at {self.level:.2%} "
            f"(Bonferroni over {self.n_tested} groups with enough random errors)"
        )


def _audit_column(random: pd.DataFrame, selected: pd.DataFrame, name: str, **kw) -> AuditResult:
    if PAIR_SEPARATOR in name and name not in random.columns:
        a, b = name.split(PAIR_SEPARATOR)
        random = random.assign(**{name: pair_labels(random, a, b)})
        selected = selected.assign(**{name: pair_labels(selected, a, b)})
    return equal_treatment(random, selected, name, **kw)


def confirm_failures(
    results: dict[str, AuditResult],
    random: pd.DataFrame,
    selected: pd.DataFrame,
    *,
    correction: str,
    max_boot: int,
    **kw: object,
) -> AuditVerdict:
    """Failing groups once the number of groups tested is accounted for.

    Every group value with enough random errors is one test; with ~40 of them, 95 % intervals
    flag about two by chance alone. With `correction="bonferroni"` the groupings that failed are
    audited again at level 1 - 0.05 / m (more resamples, up to `max_boot`, so that the tail
    percentile exists) and only failures that remain count. `kw` are the audit's own keywords.
    """
    unadjusted = [f"{g}={v}" for g, res in results.items() for v in res.failing]
    tested = sum(int((res.groups["verdict"] != VERDICT_TOO_FEW).sum()) for res in results.values())
    if correction == "none" or not unadjusted or tested <= 1:
        return AuditVerdict(unadjusted, unadjusted, tested, float(kw.get("level", 0.95)))
    base_level = float(kw.pop("level", 0.95))
    level = 1 - (1 - base_level) / tested
    n_boot = int(min(max_boot, max(int(kw.pop("n_boot", 1000)), np.ceil(20 / (1 - level)))))
    failures = []
    for name, res in results.items():
        if res.failing:
            again = _audit_column(random, selected, name, level=level, n_boot=n_boot, **kw)
            failures += [f"{name}={v}" for v in again.failing]
    return AuditVerdict(failures, unadjusted, tested, level)


@dataclass(frozen=True)
class GateDecision:
    """Whether the new version becomes champion, and every reason in words."""

    promote: bool
    reasons: list[str] = field(default_factory=list)
    audit_failures: list[str] = field(default_factory=list)
    gain: Estimate | None = None
    champion_version: int | None = None

    def summary(self) -> str:
        verdict = "champion" if self.promote else "stays challenger"
        return f"{verdict}: " + "; ".join(self.reasons)


def decide(
    audit_failures: list[str],
    champion_version: int | None,
    gain: Estimate | None,
    min_improvement: float = 0.0,
    champion_problem: str | None = None,
    audit_note: str | None = None,
) -> GateDecision:
    """Apply the gate: no group outside the band; then beat the champion (if any) at k."""
    reasons = []
    ok = True
    if audit_failures:
        ok = False
        reasons.append(
            "equal-treatment gate failed for "
            + ", ".join(audit_failures[:10])
            + (f" and {len(audit_failures) - 10} more" if len(audit_failures) > 10 else "")
        )
    else:
        reasons.append("equal-treatment gate passed (every group's interval meets the band)")
    if audit_note:
        reasons.append(audit_note)
    if champion_version is None:
        reasons.append("no champion yet")
    elif champion_problem is not None:
        ok = False
        reasons.append(f"cannot compare with champion v{champion_version}: {champion_problem}")
    elif gain is None or not gain.low > min_improvement:
        ok = False
        g = "n/a" if gain is None else f"{gain.value:+.3f} [{gain.low:+.3f}, {gain.high:+.3f}]"
        reasons.append(
            f"does not beat champion v{champion_version} at k: hit-rate gain {g} "
            f"(its interval must lie above {min_improvement:+.3f})"
        )
    else:
        reasons.append(
            f"beats champion v{champion_version} at k: hit-rate gain {gain.value:+.3f} "
            f"[{gain.low:+.3f}, {gain.high:+.3f}]"
        )
    return GateDecision(ok, reasons, list(audit_failures), gain, champion_version)


def decide_by_backtest(
    audit_failures: list[str],
    champion_version: int | None,
    backtest_ok: bool,
    backtest_reasons: list[str],
    audit_note: str | None = None,
) -> GateDecision:
    """The gate when the list's backtest decides: equal treatment at k, then the backtest.

    The backtest (see backtest/promotion.py) replaces the hit-rate comparison at k: a list is
    measured at its own operating point, against the champion's list and the rules alone.
    """
    base = decide(audit_failures, None, None, audit_note=audit_note)
    reasons = [r for r in base.reasons if r != "no champion yet"]
    if champion_version is None:
        reasons.append("no champion yet")
    reasons += backtest_reasons
    return GateDecision(
        base.promote and backtest_ok, reasons, list(audit_failures), None, champion_version
    )
