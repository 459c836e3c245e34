"""Chart of equal-burden ratios with their intervals against the band (PNG)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from audit.burden import (
    VERDICT_FAILS,
    VERDICT_OPEN,
    VERDICT_TOO_FEW,
    VERDICT_WITHIN,
    AuditResult,
)
from felrisk.figures import new_figure, save_png


def plot_equal_burden(results: AuditResult | Mapping[str, AuditResult], path: str | Path) -> Path:
    """Per group: equal-burden ratio (share selected / share of random errors) with its interval.

    The band is shaded, 1 (equal burden) is a dashed line, failing groups are red and groups
    with too few random-stream errors for a verdict grey. Ratios
    that are infinite (no errors of the group in the random stream) are drawn at the right edge.
    Several results (e.g. from `audit_many`) stack top to bottom, labelled "column: value".
    """
    if isinstance(results, AuditResult):
        results = {results.group_column: results}
    rows = []
    for name, res in results.items():
        for label, row in res.groups.iterrows():
            rows.append(
                (
                    f"{name}: {label}" if len(results) > 1 else str(label),
                    row["equal_burden_ratio"],
                    row["equal_burden_ratio_low"],
                    row["equal_burden_ratio_high"],
                    str(row["verdict"]),
                )
            )
    if not rows:
        raise ValueError("no groups to plot")
    first = next(iter(results.values()))
    band = first.band
    labels, value, low, high, verdict = (np.array(col) for col in zip(*rows, strict=True))
    value, low, high = (np.asarray(a, dtype=float) for a in (value, low, high))
    finite = np.concatenate([a[np.isfinite(a) & (a > 0)] for a in (value, low, high)])
    x_min = min(band[0], *(finite if finite.size else [1.0])) / 1.25
    x_max = max(band[1], *(finite if finite.size else [1.0])) * 1.25
    value, low, high = (np.clip(a, x_min, x_max) for a in (value, low, high))

    fig = new_figure(7.0, 1.9 + 0.35 * len(rows))
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    ax.axvspan(band[0], band[1], color="tab:green", alpha=0.12, label=f"band {band[0]}-{band[1]}")
    ax.axvline(1.0, color="grey", linestyle="--", linewidth=1)
    styles = (
        (VERDICT_FAILS, "tab:red", "o", "fails (interval outside the band)"),
        (VERDICT_WITHIN, "tab:blue", "o", "interval inside the band"),
        (VERDICT_OPEN, "tab:blue", "D", "interval across a band edge"),
        (VERDICT_TOO_FEW, "tab:grey", "x", "too few random-stream errors"),
    )
    for key, colour, marker, text in styles:
        mask = verdict == key
        if mask.any():
            ax.errorbar(
                value[mask],
                y[mask],
                xerr=np.vstack([value[mask] - low[mask], high[mask] - value[mask]]),
                fmt=marker,
                color=colour,
                capsize=3,
                label=text,
            )
    ax.set_xscale("log")
    ax.set_xlim(x_min, x_max)
    ticks = [t for t in (0.1, 0.25, 0.5, band[0], 1, band[1], 2, 4, 10, 25) if x_min <= t <= x_max]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(y, labels)
    ax.set_xlabel("equal-burden ratio: share of selection / share of random-stream errors (log)")
    if len(results) == 1:
        ax.set_title(
            f"Equal burden by {first.group_column}: random hit rate {first.hit_rate_random[0]:.1%}"
            f" (n={first.n_random}), selection {first.hit_rate_selected[0]:.1%}"
            f" (n={first.n_selected})",
            fontsize="medium",
        )
    fig.legend(loc="outside lower center", ncols=2, fontsize="small")
    return save_png(fig, path)
