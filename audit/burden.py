"""Equal treatment (likabehandling) of a selection measured against the random control stream."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from felrisk.bootstrap import interval, resample_counts
from felrisk.errors import ContractError

MISSING_LABEL = "missing"
VERDICT_FAILS = "fails"
VERDICT_WITHIN = "within band"
VERDICT_OPEN = "inconclusive"
VERDICT_TOO_FEW = "too few random errors"
PAIR_SEPARATOR = "×"

# Figures computed per group in every resample; each gets a point value and an interval.
_FIGURES = (
    "share_random",
    "share_random_errors",
    "share_selected",
    "equal_burden_ratio",
    "hit_rate_random",
    "hit_rate_selected",
    "fpr_ratio",
    "tpr_ratio",
)


@dataclass(frozen=True)
class AuditResult:
    """The audit of one group column: overall hit rates and one row of figures per group value.

    `groups` is indexed by the group label (a string) with, per figure in `_FIGURES`, the
    columns `<figure>`, `<figure>_low`, `<figure>_high`, plus counts and `fails`.
    """

    group_column: str
    band: tuple[float, float]
    level: float
    n_boot: int
    seed: int
    min_random_errors: int
    n_random: int
    n_selected: int
    hit_rate_random: tuple[float, float, float]
    hit_rate_selected: tuple[float, float, float]
    groups: pd.DataFrame = field(repr=False)

    @property
    def failing(self) -> list[str]:
        """Group labels whose equal-burden interval lies entirely outside the band."""
        return [str(g) for g in self.groups.index[self.groups["fails"]]]

    def table(self) -> pd.DataFrame:
        """One row per group value (a copy; the index is the group label)."""
        return self.groups.copy()

    def to_dict(self) -> dict:
        """The audit.json shape: overall figures and, per group label, its figures and `fails`.

        Non-finite numbers (a group absent from the random stream's errors, a hit rate with no
        known outcome) become null.
        """
        groups = {}
        for label, row in self.groups.iterrows():
            entry = {
                "share_random": _num(row["share_random"]),
                "share_random_errors": _num(row["share_random_errors"]),
                "share_selected": _num(row["share_selected"]),
                "equal_burden_ratio": _num(row["equal_burden_ratio"]),
                "equal_burden_ci": [
                    _num(row["equal_burden_ratio_low"]),
                    _num(row["equal_burden_ratio_high"]),
                ],
                "hit_rate_selected": _num(row["hit_rate_selected"]),
                "fpr_ratio": _num(row["fpr_ratio"]),
                "fails": bool(row["fails"]),
                "verdict": str(row["verdict"]),
                "hit_rate_random": _num(row["hit_rate_random"]),
                "tpr_ratio": _num(row["tpr_ratio"]),
                "n_random": int(row["n_random"]),
                "n_random_errors": int(row["n_random_errors"]),
                "n_selected": int(row["n_selected"]),
                "n_selected_known": int(row["n_selected_known"]),
            }
            for fig in _FIGURES:
                if fig != "equal_burden_ratio":
                    entry[f"{fig}_ci"] = [_num(row[f"{fig}_low"]), _num(row[f"{fig}_high"])]
            groups[str(label)] = entry
        return {
            "group_column": self.group_column,
            "band": [float(self.band[0]), float(self.band[1])],
            "n_random": self.n_random,
            "n_selected": self.n_selected,
            "hit_rate_random": _num(self.hit_rate_random[0]),
            "hit_rate_selected": _num(self.hit_rate_selected[0]),
            "hit_rate_random_ci": [_num(v) for v in self.hit_rate_random[1:]],
            "hit_rate_selected_ci": [_num(v) for v in self.hit_rate_selected[1:]],
            "ci_level": self.level,
            "n_boot": self.n_boot,
            "seed": self.seed,
            "min_random_errors": self.min_random_errors,
            "failing": self.failing,
            "groups": groups,
        }


def _num(value: float) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def group_labels(values: pd.Series) -> pd.Series:
    """Readable string labels of group values: whole floats lose '.0', missing becomes 'missing'."""

    def one(v: object) -> str:
        if isinstance(v, float | np.floating) and float(v).is_integer():
            return str(int(v))
        return str(v)

    # each distinct value once: a night's random stream holds tens of thousands of rows, a group
    # column a handful of values
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    names = np.array([one(v) for v in uniques] + [MISSING_LABEL], dtype=object)
    return pd.Series(names[codes], index=values.index, dtype=object, name=values.name)


def _label_order(values: pd.Series, labels: pd.Series) -> list[str]:
    """Labels in the natural order of their values (numbers numerically), 'missing' last."""
    firsts = pd.DataFrame({"v": values, "label": labels}).dropna().drop_duplicates("label")
    try:
        firsts = firsts.sort_values("v", kind="stable")
    except TypeError:
        firsts = firsts.sort_values("label", kind="stable")
    order = list(firsts["label"])
    return [*order, MISSING_LABEL] if (labels == MISSING_LABEL).any() else order


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ContractError(
            f"{what} has no column {missing[0]!r} (columns: {', '.join(map(str, frame.columns))})"
        )


def _onehot(labels: pd.Series, order: list[str]) -> np.ndarray:
    codes = pd.Categorical(labels, categories=order).codes
    return np.eye(len(order))[codes]


def _figures(wg, eg, ng, hg, kg) -> dict[str, np.ndarray]:
    """All figures from per-group sums, each shaped (reps, groups); see `equal_treatment`."""
    w_tot, e_tot, n_tot = (a.sum(axis=1, keepdims=True) for a in (wg, eg, ng))
    hit_sel = hg / kg
    neg_pop, pos_pop = (wg - eg) / w_tot, eg / w_tot
    fp = ng * (1 - hit_sel)
    tp = ng * hit_sel

    def vs_rest(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        num_all = np.nansum(num, axis=1, keepdims=True)
        den_all = den.sum(axis=1, keepdims=True)
        return (num / den) / ((num_all - num) / (den_all - den))

    share_random_errors = eg / e_tot
    share_selected = ng / n_tot
    return {
        "share_random": wg / w_tot,
        "share_random_errors": share_random_errors,
        "share_selected": share_selected,
        "equal_burden_ratio": share_selected / share_random_errors,
        "hit_rate_random": eg / wg,
        "hit_rate_selected": hit_sel,
        "fpr_ratio": vs_rest(fp, neg_pop),
        "tpr_ratio": vs_rest(tp, pos_pop),
    }


def equal_treatment(
    random: pd.DataFrame,
    selected: pd.DataFrame,
    group: str,
    *,
    error_col: str = "is_error",
    weight_col: str | None = None,
    band: tuple[float, float] = (0.8, 1.25),
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    min_random_errors: int = 5,
) -> AuditResult:
    """Audit one group column of a selection against the random stream (ISF's "equal burden").

    `random`: the random control stream, one row per control, with `group`, a boolean
    `error_col` (every outcome known) and optionally `weight_col` = 1 / selection probability.
    `selected`: the selection (a model's top-k, a rule list, a real list), with `group` and
    `error_col` (True/False, or missing where the outcome is not known).

    Per group: share of the population (weighted random stream), share of its errors, share of
    the selection, `equal_burden_ratio` = share_selected / share_random_errors (1 is equal
    burden), hit rates in both, and the false-positive rate of the selection scaled to the
    population through the random stream (selected non-errors over the group's estimated
    non-errors in the population) as `fpr_ratio` against all other groups together (likewise
    `tpr_ratio` for errors). Intervals are percentile bootstrap intervals; the random stream and
    the selection are resampled independently with streams derived from `seed`. A group `fails`
    when its equal-burden interval lies entirely outside `band` and the random stream holds at
    least `min_random_errors` of its errors (with fewer, a bootstrap interval of a share of
    errors means little: the verdict is "too few random errors" and it does not fail). `verdict`
    is "fails", "within band" (interval inside the band), "inconclusive" (interval across a
    band edge) or "too few random errors". A missing group value is the group 'missing'.
    """
    if not 0 < band[0] < band[1]:
        raise ValueError(f"band must be (low, high) with 0 < low < high, got {band}")
    _require(random, [group, error_col] + ([weight_col] if weight_col else []), "random stream")
    _require(selected, [group, error_col], "selection")
    if len(random) == 0:
        raise ValueError("the random stream is empty: nothing to measure against")
    if len(selected) == 0:
        raise ValueError("the selection is empty: nothing to audit")
    if random[error_col].isna().any():
        raise ValueError(
            f"random stream: {int(random[error_col].isna().sum())} rows without a known outcome "
            f"in {error_col!r}; leave open controls out"
        )
    w = np.ones(len(random)) if weight_col is None else random[weight_col].to_numpy(float)
    if not np.isfinite(w).all() or (w <= 0).any():
        raise ValueError(f"random stream: {weight_col!r} must hold positive, finite weights")

    r_labels, s_labels = group_labels(random[group]), group_labels(selected[group])
    order = _label_order(
        pd.concat([random[group], selected[group]], ignore_index=True),
        pd.concat([r_labels, s_labels], ignore_index=True),
    )
    r_err = random[error_col].astype(bool).to_numpy(float)
    s_known = selected[error_col].notna().to_numpy()
    s_err = (selected[error_col].where(s_known, False).astype(bool).to_numpy()) & s_known
    r_hot, s_hot = _onehot(r_labels, order), _onehot(s_labels, order)
    r_design = np.hstack([r_hot * w[:, None], r_hot * (w * r_err)[:, None]])
    s_design = np.hstack([s_hot, s_hot * s_err[:, None], s_hot * s_known[:, None]])
    g = len(order)

    def split(sums_r: np.ndarray, sums_s: np.ndarray) -> dict[str, np.ndarray]:
        return _figures(
            sums_r[:, :g], sums_r[:, g:], sums_s[:, :g], sums_s[:, g : 2 * g], sums_s[:, 2 * g :]
        )

    rng_r, rng_s = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    with np.errstate(divide="ignore", invalid="ignore"):
        point = split(r_design.sum(axis=0)[None], s_design.sum(axis=0)[None])
        boot_r = np.vstack([c @ r_design for c in resample_counts(len(random), n_boot, rng_r)])
        boot_s = np.vstack([c @ s_design for c in resample_counts(len(selected), n_boot, rng_s)])
        reps = split(boot_r, boot_s)
        overall_r = boot_r[:, g:].sum(axis=1) / boot_r[:, :g].sum(axis=1)
        overall_s = boot_s[:, g : 2 * g].sum(axis=1) / boot_s[:, 2 * g :].sum(axis=1)

    table = pd.DataFrame(index=pd.Index(order, name=group))
    for fig in _FIGURES:
        table[fig] = point[fig][0]
        bounds = np.array([interval(reps[fig][:, j], level) for j in range(g)]).reshape(g, 2)
        table[f"{fig}_low"], table[f"{fig}_high"] = bounds[:, 0], bounds[:, 1]
    table["n_random"] = r_hot.sum(axis=0).astype(int)
    table["n_random_errors"] = (r_hot * r_err[:, None]).sum(axis=0).astype(int)
    table["n_selected"] = s_hot.sum(axis=0).astype(int)
    table["n_selected_known"] = (s_hot * s_known[:, None]).sum(axis=0).astype(int)
    _rates_and_counts(table, order, r_labels, r_err, w, s_labels, s_err, s_known)
    low, high = table["equal_burden_ratio_low"], table["equal_burden_ratio_high"]
    enough = table["n_random_errors"] >= min_random_errors
    outside = (low > band[1]) | (high < band[0])
    inside = (low >= band[0]) & (high <= band[1])
    table["fails"] = (enough & outside).astype(bool)
    table["verdict"] = np.select(
        [~enough, outside, inside], [VERDICT_TOO_FEW, VERDICT_FAILS, VERDICT_WITHIN], VERDICT_OPEN
    )

    total_w = w.sum()
    known = s_known.sum()
    return AuditResult(
        group_column=group,
        band=(float(band[0]), float(band[1])),
        level=level,
        n_boot=n_boot,
        seed=seed,
        min_random_errors=min_random_errors,
        n_random=len(random),
        n_selected=len(selected),
        hit_rate_random=(float((w * r_err).sum() / total_w), *interval(overall_r, level)),
        hit_rate_selected=(
            float(s_err.sum() / known) if known else float("nan"),
            *interval(overall_s, level),
        ),
        groups=table,
    )


def _rates_and_counts(table, order, r_labels, r_err, w, s_labels, s_err, s_known) -> None:
    """Per-group hit rates and random-stream counts (point values), as fairlearn's MetricFrame
    gives them: the same arithmetic on each group's rows in their order (`np.average` with the
    weights, `np.mean` of known outcomes), so the figures are equal to the last bit (a test holds
    them to MetricFrame). MetricFrame itself stacks every row as a Python object: 1.7 s per
    group column of 80,000 random-stream rows on the 2-core machine, 7 of the audit's 16 s over
    four columns, for these few numbers.
    """
    r_codes = pd.Categorical(r_labels, categories=order).codes
    s_codes = pd.Categorical(s_labels, categories=order).codes
    rate_r = np.full(len(order), np.nan)
    n_r = np.zeros(len(order), dtype=int)
    rate_s = np.full(len(order), np.nan)
    for j in range(len(order)):
        rows = r_codes == j
        n_r[j] = int(rows.sum())
        if n_r[j]:
            rate_r[j] = float(np.average(r_err[rows], weights=w[rows]))
        known = s_known & (s_codes == j)
        if known.any():
            rate_s[j] = float(np.mean(s_err[known].astype(float)))
    if s_known.any():
        table["hit_rate_selected"] = rate_s
    table["hit_rate_random"] = rate_r
    table["n_random"] = n_r


def pair_labels(frame: pd.DataFrame, a: str, b: str) -> pd.Series:
    """Labels of the pair column "a×b": each row's two group labels joined by "×"."""
    return group_labels(frame[a]) + PAIR_SEPARATOR + group_labels(frame[b])


def audit_many(
    random: pd.DataFrame,
    selected: pd.DataFrame,
    groups: list[str],
    pairs: bool = True,
    **kwargs: object,
) -> dict[str, AuditResult]:
    """`equal_treatment` for each group column and, with `pairs`, each pair of them.

    A pair is audited as the column "a×b" whose values are "<a label>×<b label>". Keyword
    arguments (error_col, weight_col, band, n_boot, seed, level, min_random_errors) pass through unchanged, so every
    audit uses the same seed.
    """
    if not groups:
        raise ValueError("groups is empty: name at least one group column")
    for frame, what in ((random, "random stream"), (selected, "selection")):
        _require(frame, list(groups), what)
    results = {g: equal_treatment(random, selected, g, **kwargs) for g in groups}
    if pairs:
        for a, b in combinations(groups, 2):
            name = f"{a}{PAIR_SEPARATOR}{b}"
            results[name] = equal_treatment(
                random.assign(**{name: pair_labels(random, a, b)}),
                selected.assign(**{name: pair_labels(selected, a, b)}),
                name,
                **kwargs,
            )
    return results


def by_benefit(
    random: pd.DataFrame, selected: pd.DataFrame, benefits: Iterable[str], *, min_picks: int
) -> Iterator[tuple[str, pd.DataFrame, pd.DataFrame]]:
    """(benefit, its random rows, its selected rows) for each benefit worth auditing on its own.

    A benefit with fewer than `min_picks` selected rows says nothing about a group's burden, and
    one with no error in `random` (boolean `is_error`) has nothing to compare with: both are left
    out. Benefits come in the order given.
    """
    for benefit in benefits:
        sel = selected[selected["benefit"] == benefit]
        rnd = random[random["benefit"] == benefit]
        if len(sel) < min_picks or not rnd["is_error"].any():
            continue
        yield benefit, rnd, sel
