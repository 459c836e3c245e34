"""The model card (markdown, from `training/templates/card.md.j2`) and the console comparison table
of a training run."""

from __future__ import annotations

import pandas as pd
from rich.table import Table

from felrisk import templates
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


def _comparison(df: pd.DataFrame, by: str | None = None) -> dict:
    """A comparison table's cells: model, k, hit rate at k, wrong SEK, lift, PR-AUC, ROC-AUC and
    Brier with their intervals, led by the `by` column when given."""
    head = ([by] if by else []) + ["model", "k", "hit rate at k", "wrong SEK at k", "lift"]
    head += ["PR-AUC", "ROC-AUC", "Brier"]
    rows = []
    for _, r in df.iterrows():
        cells = ([str(r[by])] if by else []) + [str(r["model"]), str(r["k"])]
        cells += [_ci(r, "hit_rate", pct=True), _ci(r, "wrong_sek"), _ci(r, "lift", digits=2)]
        cells += [_ci(r, "pr_auc"), _ci(r, "roc_auc"), _ci(r, "brier", digits=4)]
        rows.append(cells)
    return {"head": head, "rows": rows}


def _frame(df: pd.DataFrame | None, floatfmt: str = "{:.3f}") -> dict | None:
    """A frame's cells, floats with three decimals; None when there is nothing to show."""
    if df is None or df.empty:
        return None
    rows = [
        [floatfmt.format(v) if isinstance(v, float) else str(v) for v in r.to_numpy()]
        for _, r in df.iterrows()
    ]
    return {"head": [str(c) for c in df.columns], "rows": rows}


def _rate(e) -> dict:
    """An estimate and its interval as percentages with one decimal."""
    return {"value": f"{e.value:.1%}", "low": f"{e.low:.1%}", "high": f"{e.high:.1%}"}


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
    """Intended use, data, metrics with intervals, equal treatment, limits: one markdown page
    (`training/templates/card.md.j2`)."""
    data_rows = [
        [t, f"{s['rows']:,}", f"`{(s['sha256'] or '')[:16]}`"] for t, s in snapshot.items()
    ]
    return templates.render(
        "training",
        "card.md.j2",
        name=name,
        version=version,
        split=split,
        counts=counts,
        seed=seed,
        feature_version=feature_version,
        n_features=len(feature_names),
        snapshot={"head": ["table", "rows", "sha256"], "rows": data_rows},
        k=ev.k,
        n_random=ev.n_random,
        stream_rate=_rate(ev.stream_rate),
        base_rate=_rate(ev.base_rate),
        comparison=_comparison(ev.comparison),
        paired=_frame(ev.paired),
        population=_frame(ev.population),
        intent=None if ev.intent.empty else _comparison(ev.intent),
        per_benefit=None if ev.per_benefit.empty else _comparison(ev.per_benefit, by="benefit"),
        rolling=_frame(rolling),
        has_oracle=oracle is not None,
        oracle=_frame(oracle),
        band=band,
        gate=decision.summary(),
        audit_summary=_frame(audit_summary),
        proxy_top=_frame(proxy_top),
        backtest_md=backtest_md,
    )
