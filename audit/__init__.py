"""Equal-treatment audit (likabehandling) of selections against the random stream: the public interface.

- `equal_treatment(random, selected, group, *, error_col="is_error", weight_col=None,
  band=(0.8, 1.25), n_boot=1000, seed=0, level=0.95) -> AuditResult`
  (`.to_dict()` is the audit.json shape, `.table()` one row per group, `.failing`)
- `audit_many(random, selected, groups, pairs=True, **same keywords) -> dict[str, AuditResult]`
- `by_benefit(random, selected, benefits, *, min_picks) -> Iterator[(benefit, random, selected)]`
- `load_audit_policy(path=None) -> AuditPolicy`: band, groups, resamples per use (audit.toml)
- `ipw_weights(frame)` (audit.weights); the nightly figures in audit.night
- `person_groups(person_id, persons, as_of)`: sex, birth_region, age_band of each row's person
  (the one derivation training and the night share)
- `age_band(birth_date, as_of, edges=None)`, `income_band(yearly_pay, edges=None)` (the yearly
  pay itself: training.dataset, from the income as features.pit.latest_pay knows it)
- `proxy_screen(features, protected, score=None, *, folds=5, seed=0) -> DataFrame`
  (attribute, feature, auc, n)
- `plot_equal_burden(results, path)` writes a PNG
- `audit_selection_file(file, *, group, out, ...) -> dict` behind `felrisk audit-selection`
"""

from __future__ import annotations

from audit.burden import (
    MISSING_LABEL,
    PAIR_SEPARATOR,
    AuditResult,
    audit_many,
    by_benefit,
    equal_treatment,
    group_labels,
    pair_labels,
)
from audit.file import audit_selection_file
from audit.groups import (
    NO_PAY_LABEL,
    age_band,
    age_years,
    income_band,
    person_groups,
)
from audit.plot import plot_equal_burden
from audit.policy import AuditPolicy, Resamples, load_audit_policy
from audit.proxy import ALL_FEATURES, SCORE, proxy_screen

__all__ = [
    "ALL_FEATURES",
    "MISSING_LABEL",
    "NO_PAY_LABEL",
    "PAIR_SEPARATOR",
    "SCORE",
    "AuditPolicy",
    "AuditResult",
    "age_band",
    "age_years",
    "audit_many",
    "by_benefit",
    "audit_selection_file",
    "equal_treatment",
    "group_labels",
    "income_band",
    "person_groups",
    "load_audit_policy",
    "pair_labels",
    "plot_equal_burden",
    "proxy_screen",
    "Resamples",
]
