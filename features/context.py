"""What every family builder receives: the spine's keys and the shared point-in-time projections."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import ibis
import ibis.expr.types as ir

from features.pit import day, known_by, month_index, signed_extent
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
            paid_day=day(p.paid_date),
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
            c_opened=day(c.opened_date),
        )

    def person_payments_in_window(self, keys: ir.Table) -> ir.Table:
        """`keys` (with person_id, as_of_day, lo, hi) joined to the person's payments known by D-1
        whose period touches the window; adds s, e: the period clipped to the window."""
        p = self.payments
        j = keys.join(p, keys.person_id == p.pay_person)
        j = j.filter(j.paid_day < j.as_of_day, j.pe >= j.lo, j.ps <= j.hi)
        return j.mutate(s=ibis.greatest(j.ps, j.lo), e=ibis.least(j.pe, j.hi))

    @cached_property
    def income_known(self) -> ir.Table:
        """Per person key, employer and month: the latest gross pay reported by D-1 (a correction
        replaces the report it corrects). Columns person_id, as_of_day, employer_id, ym, pay."""
        inc = self.tables["income_reports"]
        k = self.person_keys.select("person_id", "as_of_day")
        j = k.join(inc, "person_id")
        j = j.filter(known_by(j, "income_reports", j.as_of_day))
        w = ibis.window(
            group_by=["person_id", "as_of_day", "employer_id", "month"],
            order_by=[ibis.desc("reported_date")],
        )
        j = j.mutate(_rank=ibis.row_number().over(w))
        j = j.filter(j._rank == 0)
        return j.select(
            "person_id", "as_of_day", "employer_id", ym=month_index(j.month), pay=j.gross_pay_sek
        )

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

    def with_month_start(self, t: ir.Table, ym: ir.IntegerValue, name: str) -> ir.Table:
        """`t` with column `name`: the first day number of month index `ym` (an expression of `t`)."""
        cal = self.calendar.select("cal_ym", "cal_start")
        j = t.join(cal, ym == cal.cal_ym)
        return j.mutate(**{name: j.cal_start}).drop("cal_ym", "cal_start")

    @cached_property
    def calendar(self) -> ir.Table:
        """Months 1950-2099: month index, first day number, days and weekdays (Mon-Fri) in it."""
        rows: dict[str, list[int]] = {"cal_ym": [], "cal_start": [], "cal_days": [], "cal_wd": []}
        epoch = date(1970, 1, 1).toordinal()
        for year in range(1950, 2100):
            for month in range(1, 13):
                first_weekday, n_days = calendar.monthrange(year, month)
                full_weeks, rest = divmod(n_days, 7)
                weekdays = full_weeks * 5 + sum(
                    1 for i in range(rest) if (first_weekday + i) % 7 < 5
                )
                rows["cal_ym"].append(year * 12 + month - 1)
                rows["cal_start"].append(date(year, month, 1).toordinal() - epoch)
                rows["cal_days"].append(n_days)
                rows["cal_wd"].append(weekdays)
        schema = {c: "int64" for c in rows}
        return ibis.memtable(rows, schema=schema)


def left_attach(left: ir.Table, right: ir.Table, keys: list[str]) -> ir.Table:
    """Left join on same-named key columns, keeping the left table's keys only."""
    j = left.left_join(right, list(keys))
    return j.drop(*[f"{k}_right" for k in keys])
