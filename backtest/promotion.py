"""Promotion by backtest: a challenger becomes champion only if its lists do at least as well.

Over the test period's nights (replayed every `promotion_every_days` days), the challenger's
hybrid list must find at least as many errors per control as the champion's and as the rules
alone, honestly measured (random-stream outcomes, IPW), intervals considered: it fails a
comparison when the upper end of the paired interval of the difference lies below zero. Its model
picks must also pass the equal-treatment check against the random stream of the same period. The
oracle (synthetic truth) is reported beside these figures and never decides.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from audit.burden import equal_treatment
from audit.groups import age_band
from audit.night import add_groups, night_equal_treatment, random_stream
from backtest import report
from backtest.config import BacktestConfig, load_backtest_config
from backtest.replay import PolicySpec, night_dates
from backtest.run import BacktestResult, flat_metrics, replay_and_measure
from felrisk.datadir import open_data
from scoring.config import load_selection_config
from scoring.fairness import audit_settings
from scoring.job import default_source
from scoring.ports import DataSource

log = logging.getLogger("felrisk.backtest")

CHALLENGER, CHAMPION = "challenger", "champion"
HONEST = "honest_errors_per_control"


@dataclass
class PromotionCheck:
    """The backtest's verdict on a challenger, with what the model card and MLflow show."""

    ok: bool
    reasons: list[str]
    markdown: str
    metrics: dict[str, float] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    result: BacktestResult | None = None


def _diff(paired: pd.DataFrame, a: str, b: str, figure: str = HONEST) -> pd.Series | None:
    hit = paired[(paired["policy"] == a) & (paired["versus"] == b) & (paired["figure"] == figure)]
    return None if hit.empty else hit.iloc[0]


def compare_reasons(
    result: BacktestResult, rivals: list[str], min_labelled: int
) -> tuple[bool, list[str]]:
    """(ok, reasons): the challenger against each rival on honest errors per control."""
    ok, reasons = True, []
    labelled = result.totals.set_index("policy")["labelled_picks"]
    if labelled.get(CHALLENGER, 0) < min_labelled:
        reasons.append(
            f"backtest: {int(labelled.get(CHALLENGER, 0))} of the challenger's picks have a "
            f"random-stream draw after their night (fewer than {min_labelled}): no honest "
            "comparison, the equal-treatment checks decide"
        )
        return ok, reasons
    for rival in rivals:
        d = _diff(result.paired, CHALLENGER, rival)
        if d is None or not math.isfinite(d["difference"]):
            reasons.append(f"backtest: no honest comparison with {rival} (no labelled picks)")
            continue
        text = (
            f"{100 * d['difference']:+.1f} pp [{100 * d['low']:+.1f}, {100 * d['high']:+.1f}] "
            f"errors per control against {rival}"
        )
        if d["high"] < 0:
            ok = False
            reasons.append(f"backtest: finds fewer errors than {rival}: {text}")
        else:
            reasons.append(f"backtest: at least as good as {rival}: {text}")
    return ok, reasons


def picks_equal_treatment(data, result: BacktestResult, data_end: date) -> pd.DataFrame:
    """The challenger's model picks over the nights against the random stream of the period,
    with the nightly check's settings (the audit policy's, resamples.nightly)."""
    picks = result.picks[
        (result.picks["policy"] == CHALLENGER) & (result.picks["selection"] == "model")
    ]
    controls = data["controls"].to_pandas()
    first = result.nights[0]
    window = (data_end - first).days + 1
    rnd = random_stream(controls, data_end + timedelta(days=1), window)
    ids = set(rnd["person_id"].astype(str)) | set(picks["person_id"].astype(str))
    persons = data["persons"].select("person_id", "sex", "birth_region", "birth_date").to_pandas()
    persons = persons[persons["person_id"].astype(str).isin(ids)]
    rnd = add_groups(rnd, persons, first, age_band=age_band)
    parts = [
        add_groups(g, persons, night, age_band=age_band)
        for night, g in picks.groupby("as_of", sort=True)
    ]
    sel = pd.concat(parts, ignore_index=True) if parts else picks
    settings = dict(audit_settings())
    groups = settings.pop("groups")
    fair, _ = night_equal_treatment(rnd, sel, groups, equal_treatment, **settings)
    return fair


def backtest_check(
    bundle,
    champion,
    data_dir: Path,
    first: date,
    last: date,
    *,
    cfg: BacktestConfig | None = None,
    source: DataSource | None = None,
) -> PromotionCheck:
    """Replay [first, last] with the challenger (and champion), decide, and say why."""
    cfg = cfg or load_backtest_config()
    source = source or default_source()
    selection = load_selection_config()
    data = open_data(Path(data_dir))
    nights = night_dates(first, last, cfg.promotion_every_days)
    bundles = {CHALLENGER: bundle}
    policies = [PolicySpec(CHALLENGER, "hybrid", CHALLENGER)]
    rivals = ["rules"]
    if champion is not None:
        bundles[CHAMPION] = champion
        policies.append(PolicySpec(CHAMPION, "hybrid", CHAMPION))
        rivals.insert(0, CHAMPION)
    policies += [
        PolicySpec("model", "model", CHALLENGER),
        PolicySpec("rules", "rules", CHALLENGER),
        PolicySpec("random", "random", CHALLENGER),
    ]
    pairs = [(CHALLENGER, r) for r in (CHAMPION, "model", "rules", "random")]
    result = replay_and_measure(
        data,
        Path(data_dir),
        bundles,
        nights,
        cfg=cfg,
        selection=selection,
        source=source,
        policies=policies,
        model_note="challenger trained on the controls closed before the test period",
        pairs=pairs,
    )
    ok, reasons = compare_reasons(result, rivals, cfg.min_labelled_picks)
    fair = picks_equal_treatment(data, result, last)
    failing = sorted(f"{r.group}={r.value}" for r in fair.itertuples() if r.fails)
    if failing:
        ok = False
        reasons.append("backtest picks fail equal treatment for " + ", ".join(failing))
    elif not fair.empty:
        reasons.append(
            "backtest picks pass equal treatment (every group's interval meets the band)"
        )
    else:
        reasons.append("backtest picks: equal treatment not measurable (no random errors)")
    md = report.markdown(result.totals, result.paired, result.title())
    return PromotionCheck(
        ok,
        reasons,
        md,
        flat_metrics(result.totals),
        {
            "backtest/totals.csv": result.totals,
            "backtest/per_night.csv": result.per_night,
            "backtest/paired.csv": result.paired,
            "backtest/equal_treatment_picks.csv": fair,
        },
        result,
    )


def train_with_backtest(
    data_dir: Path, config_path: Path | None = None, seed: int | None = None, console=None
):
    """`felrisk train`: train, replay the challenger's lists over the test period, gate, print."""
    from training.pipeline import train

    result = train(
        data_dir,
        config_path=config_path,
        seed=seed,
        console=console,
        promotion_check=backtest_check,
    )
    check = result.backtest
    if console is not None and check is not None and check.result is not None:
        console.print(report.console_table(check.result.totals, check.result.title()))
    return result
