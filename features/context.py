"""What every family builder receives: the spine's keys and the shared point-in-time projections."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import ibis
import ibis.expr.types as ir
import numpy as np

from features.pit import (
    day,
    known_before,
    known_by,
    known_from_day,
    latest_pay,
    month_index,
    month_start_day,
    signed_extent,
)
from features.settings import FeatureSettings
from felrisk.rules import CoordinationRules

# Day numbers that stand for "no bound" in interval arithmetic.
FAR_PAST = -(10**7)
FAR_FUTURE = 10**7


@dataclass
class BuildContext:
    """Contract tables, rules, settings and the spine's keys (one row per case and as-of day).

    `keys` columns: case_id, as_of_day, as_of_ym (D's month index), person_id, benefit, child_id, employment_type, ied_day,
    opened_day, granted_hours, lo, hi (the window lo..hi inclusive, hi = D-1). Every derived table
    here is an unexecuted Ibis expression.
    """

    tables: dict[str, ir.Table]
    keys: ir.Table
    rules: CoordinationRules
    settings: FeatureSettings

    @property
    def tolerance(self) -> float:
        return self.settings.extent_tolerance

    @cached_property
    def person_keys(self) -> ir.Table:
        """Distinct (person_id, as_of_day, as_of_ym, lo, hi): the keys of person-level features."""
        return self.keys.select("person_id", "as_of_day", "as_of_ym", "lo", "hi").distinct()

    @cached_property
    def payments(self) -> ir.Table:
        """Payments with day numbers and signed extents (a reversal cancels its days)."""
        p = self.tables["payments"]
        return p.select(
            pay_id=p.payment_id,
            pay_case=p.case_id,
            pay_person=p.person_id,
            pay_benefit=p.benefit,
            ps=day(p.period_start),
            pe=day(p.period_end),
            ext=signed_extent(p),
            amount=p.amount_sek,
            paid_day=known_from_day(p, "payments"),
            automated=p.automated,
            hours=p.hours,
        )

    @cached_property
    def cases(self) -> ir.Table:
        """Cases with day numbers, prefixed so they join without name clashes."""
        c = self.tables["cases"]
        return c.select(
            c_case=c.case_id,
            c_person=c.person_id,
            c_benefit=c.benefit,
            c_child=c.child_id,
            c_employment=c.employment_type,
            c_ied=day(c.insured_event_date),
            c_opened=known_from_day(c, "cases"),
        )

    def person_payments_in_window(self, keys: ir.Table) -> ir.Table:
        """`keys` (with person_id, as_of_day, lo, hi) joined to the person's payments known by D-1
        whose period touches the window; adds s, e: the period clipped to the window."""
        return self._payments_in_window(keys, keys.person_id == self.payments.pay_person)

    def case_payments_in_window(self, keys: ir.Table) -> ir.Table:
        """`keys` (with case_id, as_of_day, lo, hi) joined to the case's own payments known by D-1
        whose period touches the window; adds s, e: the period clipped to the window."""
        return self._payments_in_window(keys, keys.case_id == self.payments.pay_case)

    def _payments_in_window(self, keys: ir.Table, on: ir.BooleanValue) -> ir.Table:
        j = keys.join(self.payments, on)
        j = j.filter(known_before(j.paid_day, j.as_of_day), j.pe >= j.lo, j.ps <= j.hi)
        return j.mutate(s=ibis.greatest(j.ps, j.lo), e=ibis.least(j.pe, j.hi))

    @cached_property
    def income_known(self) -> ir.Table:
        """Per person key, employer and month: the latest gross pay reported by D-1 (a correction
        replaces the report it corrects). Columns person_id, as_of_day, employer_id, ym, pay."""
        inc = self.tables["income_reports"]
        k = self.person_keys.select("person_id", "as_of_day")
        j = k.join(inc, "person_id")
        j = j.filter(known_by(j, "income_reports", j.as_of_day))
        # the latest report by an aggregate, not a ranking window: 0.7 against 0.9 CPU-s at 1M
        j = latest_pay(j, ["person_id", "as_of_day"])
        return j.select("person_id", "as_of_day", "employer_id", ym=month_index(j.month), pay=j.pay)

    @cached_property
    def month_pay(self) -> ir.Table:
        """Per person key and month of the work window (the `work.months` calendar months before
        D's month): reported gross pay summed over employers. Columns person_id, as_of_day, ym, pay."""
        inc = self.income_known
        months = self.settings.work.months
        k = self.person_keys.select(k_person="person_id", k_day="as_of_day", k_ym="as_of_ym")
        j = inc.join(k, [inc.person_id == k.k_person, inc.as_of_day == k.k_day])
        j = j.filter(j.ym >= j.k_ym - months, j.ym < j.k_ym)
        return j.group_by(["person_id", "as_of_day", "ym"]).aggregate(pay=j.pay.sum())

    @cached_property
    def main_employer(self) -> ir.Table:
        """Per person key: the employer that reported the most pay in the 12 calendar months
        before D's month (ties by employer_id). Columns person_id, as_of_day, employer_id."""
        inc = self.income_known
        k = self.person_keys.select(k_person="person_id", k_day="as_of_day", k_ym="as_of_ym")
        j = inc.join(k, [inc.person_id == k.k_person, inc.as_of_day == k.k_day])
        j = j.filter(j.ym >= j.k_ym - 12, j.ym < j.k_ym, j.pay > 0)
        by = j.group_by(["person_id", "as_of_day", "employer_id"]).aggregate(emp_pay=j.pay.sum())
        w = ibis.window(
            group_by=["person_id", "as_of_day"],
            order_by=[ibis.desc("emp_pay"), ibis.asc("employer_id")],
        )
        by = by.mutate(_rank=ibis.row_number().over(w))
        return by.filter(by._rank == 0).select("person_id", "as_of_day", "employer_id")

    @cached_property
    def latest_sgi(self) -> ir.Table:
        """Per person key: the latest SGI decision known by D-1 (ties broken by sgi_id)."""
        s = self.tables["sgi_decisions"]
        k = self.person_keys.select("person_id", "as_of_day")
        j = k.join(s, "person_id")
        j = j.filter(known_by(j, "sgi_decisions", j.as_of_day))
        w = ibis.window(
            group_by=["person_id", "as_of_day"],
            order_by=[ibis.desc("decision_date"), ibis.desc("sgi_id")],
        )
        j = j.mutate(_rank=ibis.row_number().over(w))
        j = j.filter(j._rank == 0)
        return j.select(
            "person_id",
            "as_of_day",
            "sgi_id",
            "income_basis",
            sgi=j.annual_sgi_sek,
            work_hours=j.annual_work_hours,
            decision_day=day(j.decision_date),
            decision_ym=month_index(j.decision_date),
        )

    @cached_property
    def sgi_pay_months(self) -> ir.Table:
        """The latest SGI decision (`latest_sgi`) beside each known monthly pay of the person in
        the `sgi.pay_lookback_months` months before the decision's month."""
        s, inc = self.latest_sgi, self.income_known
        j = s.join(inc, ["person_id", "as_of_day"])
        lookback = self.settings.sgi.pay_lookback_months
        return j.filter(j.ym >= j.decision_ym - lookback, j.ym < j.decision_ym)

    @cached_property
    def sgi_employer(self) -> ir.Table:
        """Per person key: the employer behind the latest SGI decision, the one that reported the
        most pay in the lookback months before it (ties by employer_id). Columns person_id,
        as_of_day, employer_id, decision_ym, decision_day."""
        j = self.sgi_pay_months
        keys = ["person_id", "as_of_day", "employer_id", "decision_ym", "decision_day"]
        by_emp = j.group_by(keys).aggregate(emp_pay=j.pay.sum())
        w = ibis.window(
            group_by=["person_id", "as_of_day"],
            order_by=[ibis.desc("emp_pay"), ibis.asc("employer_id")],
        )
        top = by_emp.mutate(_rank=ibis.row_number().over(w))
        return top.filter((top._rank == 0) & (top.emp_pay > 0)).drop("_rank", "emp_pay")

    @cached_property
    def employer_staff(self) -> ir.Table:
        """Per employer and D's month, for the spine persons' main employers and the employers
        behind their SGI: every person with pay from it in the 12 months before that month, and
        whether the person is new there (no pay from it in the `network.new_employee_lookback_months`
        months before those 12).

        As known at the start of D's month (rows known by the end of the month before; still before
        D, so no later row leaks in). Keyed by month, not by day, the table costs one computation
        per employer and month however many dates fall in it. Columns employer_id, as_of_ym,
        snap_day (the month's first day), person_id, is_new.
        """
        lookback = self.settings.network.new_employee_lookback_months
        pk = self.person_keys.select(k_person="person_id", k_day="as_of_day", as_of_ym="as_of_ym")
        wanted = []
        for t in (self.main_employer, self.sgi_employer):
            t = t.join(pk, [t.person_id == pk.k_person, t.as_of_day == pk.k_day])
            wanted.append(t.select("employer_id", "as_of_ym"))
        emps = wanted[0].union(wanted[1], distinct=True)
        emps = self.with_month_start(emps, emps.as_of_ym, "snap_day")
        inc = self.tables["income_reports"]
        j = emps.join(inc, "employer_id")
        ym = month_index(j.month)
        j = j.filter(
            known_by(j, "income_reports", j.snap_day),
            j.gross_pay_sek > 0,
            ym < j.as_of_ym,
            ym >= j.as_of_ym - 12 - lookback,
        )
        per = j.group_by(["employer_id", "as_of_ym", "snap_day", "person_id"]).aggregate(
            first_ym=month_index(j.month).min(), last_ym=month_index(j.month).max()
        )
        per = per.filter(per.last_ym >= per.as_of_ym - 12)
        return per.select(
            "employer_id", "as_of_ym", "snap_day", "person_id",
            is_new=per.first_ym >= per.as_of_ym - 12,
        )  # fmt: skip

    def with_month_start(self, t: ir.Table, ym: ir.IntegerValue, name: str) -> ir.Table:
        """`t` with column `name`: the first day number of month index `ym` (an expression of `t`).

        Arithmetic, not a join with `calendar`: DuckDB put that join after the income rows'
        (10.6M probes at 1M persons in `employer_staff`, about 1.2 CPU-s of the night)."""
        return t.mutate(**{name: month_start_day(ym)})

    @cached_property
    def calendar(self) -> ir.Table:
        """Months 1950-2099: month index, first day number, days and weekdays (Mon-Fri) in it."""
        months = np.arange("1950-01", "2100-01", dtype="datetime64[M]")
        first, after = months.astype("datetime64[D]"), (months + 1).astype("datetime64[D]")
        rows = {
            "cal_ym": months.astype("int64") + 1970 * 12,  # numpy counts months from 1970-01
            "cal_start": first.astype("int64"),
            "cal_days": (after - first).astype("int64"),
            "cal_wd": np.busday_count(first, after).astype("int64"),
        }
        return ibis.memtable(rows, schema={c: "int64" for c in rows})


def left_attach(left: ir.Table, right: ir.Table, keys: list[str]) -> ir.Table:
    """Left join on same-named key columns, keeping the left table's keys only."""
    j = left.left_join(right, list(keys))
    return j.drop(*[f"{k}_right" for k in keys])
