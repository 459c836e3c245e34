"""The model card (markdown) and the console comparison table of a training run."""

from __future__ import annotations

import pandas as pd
from rich.table import Table

from training.evaluate import Evaluation
from training.gate import GateDecision


def _ci(row: pd.Series, key: str, pct: bool = False, digits: int = 3) -> str:
    v, lo, hi = row[key], row[f"{key}_low"], row[f"{key}_high"]
    if pd.isna(v):
        return "-"
    if pct:
        return f"{v:.1%} [{lo:.1%}, {hi:.1%}]"
    if key.startswith("wrong_sek") or abs(v) >= 1000:  # SEK in thousands
        return f"{v / 1e3:,.0f}k [{lo / 1e3:,.0f}k, {hi / 1e3:,.0f}k]"
    return f"{v:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def _gain(ev: Evaluation, model: str, baseline: str) -> str:
    p = ev.paired
    if p.empty:
        return "-"
    row = p[(p["model"] == model) & (p["baseline"] == baseline)]
    if row.empty:
        return "-"
    r = row.iloc[0]
    return f"{r['gain']:+.1%} [{r['gain_low']:+.1%}, {r['gain_high']:+.1%}]"


def comparison_table(ev: Evaluation, title: str) -> Table:
    """The rich table `felrisk train` prints: every model at k on the test random stream."""
    t = Table(title=title, title_justify="left")
    cols = ("model", "hit rate at k", "vs rules (paired)", "wrong SEK at k", "lift", "PR-AUC")
    for col in (*cols, "ROC-AUC"):
        t.add_column(col, justify="left" if col == "model" else "right")
    for _, r in ev.comparison.iterrows():
        t.add_row(
            str(r["model"]),
            _ci(r, "hit_rate", pct=True),
            _gain(ev, str(r["model"]), "rules"),
            _ci(r, "wrong_sek"),
            _ci(r, "lift", digits=2),
            _ci(r, "pr_auc", digits=2),
            _ci(r, "roc_auc", digits=2),
        )
    t.caption = "95 % bootstrap intervals; Brier, per benefit, IPW and oracle: model card in MLflow"
    return t


def comparison_markdown(df: pd.DataFrame, by: str | None = None) -> str:
    """Markdown rows: model, hit rate at k, wrong SEK, lift, PR-AUC, ROC-AUC, Brier, with intervals."""
    head = ([by] if by else []) + ["model", "k", "hit rate at k", "wrong SEK at k", "lift"]
    head += ["PR-AUC", "ROC-AUC", "Brier"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, r in df.iterrows():
        cells = ([str(r[by])] if by else []) + [str(r["model"]), str(r["k"])]
        cells += [_ci(r, "hit_rate", pct=True), _ci(r, "wrong_sek"), _ci(r, "lift", digits=2)]
        cells += [_ci(r, "pr_auc"), _ci(r, "roc_auc"), _ci(r, "brier", digits=4)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _frame_md(df: pd.DataFrame, floatfmt: str = "{:.3f}") -> str:
    if df is None or df.empty:
        return "(none)"
    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    for _, r in df.iterrows():
        cells = [floatfmt.format(v) if isinstance(v, float) else str(v) for v in r.to_numpy()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def model_card(
    *,
    name: str,
    version: int | None,
    ev: Evaluation,
    split: dict,
    counts: dict,
    snapshot: dict,
    feature_names: list[str],
    feature_version: str,
    audit_summary: pd.DataFrame,
    proxy_top: pd.DataFrame,
    decision: GateDecision,
    rolling: pd.DataFrame,
    oracle: pd.DataFrame | None,
    seed: int,
    band: tuple[float, float],
    backtest_md: str = "",
) -> str:
    """Intended use, data, metrics with intervals, equal treatment, limits: one markdown page."""
    data_rows = "\n".join(
        f"| {t} | {s['rows']:,} | `{(s['sha256'] or '')[:16]}` |" for t, s in snapshot.items()
    )
    oracle_md = (
        "No ground truth in this data directory (real data): no oracle figures."
        if oracle is None
        else "Synthetic world: the same figures against `truth/` (**oracle**, never used for "
        "training or selection) beside the honest ones from investigators' outcomes.\n\n"
        + _frame_md(oracle)
    )
    return f"""# Model card: {name} version {version if version is not None else "(not registered)"}

## Intended use
Ranks open social-insurance cases for a targeted control (riktad kontroll) by the calibrated
probability that a payment is wrong, or by the expected wrong amount in SEK. A list selects cases
for a human investigation; it never decides anything about a person. The intent probability
(suspected crime) is for the control-investigation lane only; a verification list is not a list
of suspects.

## Data
Closed controls from `controls`, features as of each selected date (known by D-1) from the same
feature builders the nightly job uses. Split by time, never shuffled, with the label delay
respected: train = selected and closed before T1, validation (calibration) = selected in
[T1, T2) and closed before T2, test = the random control stream selected from T2 on.
T1 = {split["t1"]}, T2 = {split["t2"]}, data end = {split["end"]}. Rows: {counts}.
Seed {seed}. Feature list version `{feature_version}` ({len(feature_names)} features).

| table | rows | sha256 |
|---|---|---|
{data_rows}

## Metrics on the test period's random stream (k = {ev.k} of {ev.n_random} rows)
Error rate of the test random stream: {ev.stream_rate.value:.1%} [{ev.stream_rate.low:.1%},
{ev.stream_rate.high:.1%}] (hit rates and lifts at k compare with it); population prevalence,
weighted by 1 / selection probability: {ev.base_rate.value:.1%} [{ev.base_rate.low:.1%},
{ev.base_rate.high:.1%}]. Intervals are 95 % bootstrap intervals.

{comparison_markdown(ev.comparison)}

Paired differences in hit rate at k (model minus baseline, same resamples of the test rows):

{_frame_md(ev.paired)}

Population figures of each model's top-k (IPW on the random stream):

{_frame_md(ev.population)}

### Intent (suspected crime), the second target
{comparison_markdown(ev.intent) if not ev.intent.empty else "(no intent model, or no intent case in the test stream)"}

### Per benefit
{comparison_markdown(ev.per_benefit, by="benefit") if not ev.per_benefit.empty else "(too few rows)"}

### Rolling (prequential) evaluation
{_frame_md(rolling)}

### Honest against oracle
{oracle_md}

## Equal treatment (likabehandling)
Each group's share of the model's top-k beside its share of the errors in the random stream
(equal-burden ratio; a group fails when its interval lies outside {band[0]}-{band[1]}).
Gate: **{decision.summary()}**

{_frame_md(audit_summary)}

Proxy screen (how well features and the score predict protected attributes; AUC, 0.5 = none),
highest first:

{_frame_md(proxy_top)}

{backtest_md or "## Backtest of the list" + chr(10) + "(not run: promotion by hit rate at k)" + chr(10)}
## Limits
- Labels exist only for controlled cases; honest figures come from the random stream alone, so
  their intervals are as wide as that stream is small.
- Outcomes are what investigators found: errors they missed are counted as no error.
- Controls still open at the data end are left out; if slow investigations differ from fast
  ones, the latest period is biased.
- Sex and birth region are never inputs, but proxies may carry them: see the proxy screen.
- A model that passes the gate today can fail it on next month's data: the nightly job repeats
  the audit on every list.
"""
