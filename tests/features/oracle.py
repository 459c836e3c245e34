"""A slow, plain-Python, day-by-day reference for the overlap and rule features (no sweeps, no SQL).

Every rule is re-read from the rules object and applied one day at a time, so that it can be
compared with the sweep builders on small random worlds.
"""

from __future__ import annotations

from datetime import date, timedelta

TOL = 1e-9


def _add_years(d: date, years: int) -> date:
    return d.replace(year=d.year + years)


def _add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    return d.replace(year=d.year + m // 12, month=m % 12 + 1)


def _signed(p: dict) -> float:
    return -p["extent"] if p["amount_sek"] < 0 else p["extent"]


def _paid(payments: list[dict], day: date) -> float:
    return sum(_signed(p) for p in payments if p["period_start"] <= day <= p["period_end"])


def oracle(
    tables: dict[str, list[dict]], spine: list[str], as_of: date, rules, window: int
) -> dict:
    """Features per case of `spine` as of `as_of`, from rows known by as_of - 1."""
    known = [p for p in tables["payments"] if p["paid_date"] < as_of]
    cases = {c["case_id"]: c for c in tables["cases"]}
    persons = {p["person_id"]: p for p in tables["persons"]}
    births = {c["child_id"]: c["child_birth_date"] for c in tables["children"]}
    by_case: dict[str, list[dict]] = {}
    by_person: dict[str, list[dict]] = {}
    for p in known:
        by_case.setdefault(p["case_id"], []).append(p)
        by_person.setdefault(p["person_id"], []).append(p)
    days = [as_of - timedelta(days=i) for i in range(window, 0, -1)]
    first_day = min([as_of - timedelta(days=window)] + [p["period_start"] for p in known])
    out = {}
    for case_id in spine:
        c = cases[case_id]
        person, benefit = c["person_id"], c["benefit"]
        own = by_case.get(case_id, [])
        mine = by_person.get(person, [])
        paid = {d for d in days if _paid(own, d) > TOL}
        f = dict.fromkeys(
            [
                "overlap_excess_days",
                "overlap_forbidden_days",
                "tfp_in_sickpay_period_days",
                "both_parents_tfp_days",
                "fp_double_days_excess",
                "age_rule_days",
                "before_insured_days",
            ],
            0,
        )
        f["paid_days_in_window"] = len(paid)
        for d in paid:
            total = _paid([p for p in mine if p["benefit"] in rules.extent.benefits], d)
            if total > rules.extent.max_total + TOL:
                f["overlap_excess_days"] += 1
            partners = set(rules.forbidden_partners(benefit, d))  # the pairs in force on d
            if _paid([p for p in mine if p["benefit"] in partners], d) > TOL:
                f["overlap_forbidden_days"] += 1
        ins = persons[person]["insured_from"]
        if ins is not None:
            f["before_insured_days"] = sum(1 for d in paid if d < ins)
        age = rules.age.get(benefit)
        if age is not None:
            birth = (
                births.get(c["child_id"])
                if age.subject == "child"
                else persons[person]["birth_date"]
            )
            lo = _add_years(birth, age.min_age) if age.min_age is not None else None
            hi = _add_years(birth, age.max_age_exclusive) if age.max_age_exclusive else None
            if age.by_month:
                lo = lo.replace(day=1) if lo else None
                hi = hi.replace(day=1) if hi else None
            f["age_rule_days"] = sum(
                1 for d in paid if (lo is not None and d < lo) or (hi is not None and d >= hi)
            )
        sp = rules.sickpay_period
        if benefit == sp.blocked_benefit:
            sick = set()
            for s in tables["cases"]:
                if (
                    s["person_id"] == person
                    and s["benefit"] == sp.sickness_benefit
                    and s["employment_type"] == sp.employment_type
                    and s["opened_date"] < as_of
                ):
                    ied = s["insured_event_date"]
                    sick |= {ied + timedelta(days=i) for i in range(sp.first_day - 1, sp.last_day)}
            f["tfp_in_sickpay_period_days"] = len(paid & sick)
        bp = rules.both_parents
        if c["child_id"] is not None and benefit in (bp.never + (bp.double_day_benefit,)):
            others = [
                p
                for p in known
                if p["benefit"] == benefit
                and p["person_id"] != person
                and cases[p["case_id"]]["child_id"] == c["child_id"]
            ]
            if benefit in bp.never:
                f["both_parents_tfp_days"] = sum(1 for d in paid if _paid(others, d) > TOL)
            else:
                born = births[c["child_id"]]
                used, d = 0, first_day
                while d < as_of:
                    if _paid(own, d) > TOL and _paid(others, d) > TOL:
                        # the age limit and the quota in force on the day of the double day
                        months = rules.value_on(bp.age_months_rule, bp.double_day_benefit, d)
                        quota = rules.value_on(bp.quota_rule, bp.double_day_benefit, d) or 0
                        limit = None if months is None else _add_months(born, round(months))
                        excess = limit is None or not born <= d < limit
                        if not excess:
                            used += 1
                            excess = used > quota
                        if excess and d in paid:
                            f["fp_double_days_excess"] += 1
                    d += timedelta(days=1)
        out[case_id] = f
    return out
