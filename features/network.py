"""Networks: the person's employer, household and assistance provider, as known by D-1.

The person's employer is the one that reported the most pay in the 12 calendar months before D's
month (features.context.main_employer); its employees are the persons it reported pay for then.
The employer's figures (its employees, their benefits, SGI decisions and errors) are as known at
the start of D's month, so that they cost one computation per employer and month.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from features.context import BuildContext, left_attach
from features.feature import Feature
from features.pit import day, known_before, known_by, known_from_day
from felrisk.contract import ERROR_OUTCOMES

FAMILY = "network"
CASE_KEYS = ["case_id", "as_of_day"]
PERSON_KEYS = ["person_id", "as_of_day"]
EMP_KEYS = ["employer_id", "as_of_day"]

FEATURES: tuple[Feature, ...] = (
    Feature(
        "net_employer_benefit_share",
        FAMILY,
        "Share of the employer's employees (pay reported for the 12 months before D's month) who "
        "were paid a benefit for a day in the 365 days before D's month, as known at its start "
        "(null without an employer).",
        "share",
        "{value} av arbetsgivarens anställda har fått ersättning från Försäkringskassan det "
        "senaste året.",
        fill=None,
        dtype="float64",
        is_reason=False,
        not_reason_why="rests on other persons' data (secrecy): it scores, but is never told",
    ),
    Feature(
        "net_employer_new_sgi_share",
        FAMILY,
        "Share of the employer's employees who are new (no pay from it in the 12 months before) "
        "and got an SGI decision in the 365 days before D's month, as known at its start (null "
        "without an employer).",
        "share",
        "{value} av arbetsgivarens anställda är nyanställda med nytt SGI-beslut.",
        fill=None,
        dtype="float64",
        is_reason=False,
        not_reason_why="rests on other persons' data (secrecy): it scores, but is never told",
    ),
    Feature(
        "net_new_employer_sgi_decisions",
        FAMILY,
        "When the employer was registered at most 730 days before D: its employees with an SGI "
        "decision in the 365 days before D's month, as known at its start; else 0.",
        "persons",
        "Arbetsgivaren är nyregistrerad och {value} av dess anställda har fått SGI-beslut det "
        "senaste året.",
        is_reason=False,
        not_reason_why="rests on other persons' data (secrecy): it scores, but is never told",
    ),
    Feature(
        "net_employer_confirmed_errors",
        FAMILY,
        "Controls closed before D's month with an error outcome of other persons employed by the "
        "employer.",
        "controls",
        "{value} bekräftade fel hos andra anställda hos samma arbetsgivare.",
        is_reason=False,
        not_reason_why="rests on other persons' data (secrecy): it scores, but is never told",
    ),
    Feature(
        "net_household_confirmed_errors",
        FAMILY,
        "Controls closed by D-1 with an error outcome of other persons of the same household.",
        "controls",
        "{value} bekräftade fel hos andra personer i samma hushåll.",
        is_reason=False,
        not_reason_why="rests on other persons' data (secrecy): it scores, but is never told",
    ),
    Feature(
        "net_provider_confirmed_errors",
        FAMILY,
        "For ASS cases: controls closed by D-1 with an error outcome of other ASS cases that a "
        "provider which billed this case in the window also billed (reports known by D-1).",
        "controls",
        "{value} bekräftade fel i andra assistansärenden hos samma anordnare.",
        is_reason=False,
        not_reason_why="rests on other persons' data (secrecy): it scores, but is never told",
    ),
)


def _confirmed_errors(ctx: BuildContext, keys: ir.Table, on: str) -> ir.Table:
    """Per (`on`, as_of_day) of `keys`: controls of that `on` (person_id or case_id) closed by D-1
    with an error outcome. Columns `on`, as_of_day, errors."""
    c = ctx.tables["controls"]
    c = c.filter(c.outcome.isin(list(ERROR_OUTCOMES)), c.closed_date.notnull())
    c = c.select(
        c_on=c[on],
        closed=known_from_day(c, "controls", "closed_date"),
        selected_date=c.selected_date,
    )
    k = keys.select(on, "as_of_day").distinct()
    j = k.join(c, k[on] == c.c_on)
    j = j.filter(known_by(j, "controls", j.as_of_day), known_before(j.closed, j.as_of_day))
    return j.group_by([on, "as_of_day"]).aggregate(errors=j.count())


def _employer_stats(ctx: BuildContext) -> ir.Table:
    """Per (employer, first day of D's month): employees, on benefit, new with fresh SGI, errors.

    The employees are `BuildContext.employer_staff` (as known at the start of D's month).
    """
    staff = ctx.employer_staff
    e = staff.select("employer_id", "person_id", "is_new", as_of_day=staff.snap_day)
    ek = e.select("person_id", "as_of_day", lo=e.as_of_day - ctx.settings.window_days).distinct()
    # semi joins: whether a row exists, not how many (no fan-out, no distinct afterwards)
    p = ctx.payments
    paid = ek.semi_join(
        p,
        [
            ek.person_id == p.pay_person,
            known_before(p.paid_day, ek.as_of_day),
            p.pe >= ek.lo,
            p.ps < ek.as_of_day,
        ],
    )
    paid = paid.select(*PERSON_KEYS).mutate(on_benefit=ibis.literal(1))
    s = ctx.tables["sgi_decisions"]
    s = s.select(s_person=s.person_id, s_known=known_from_day(s, "sgi_decisions"),
                 s_day=day(s.decision_date))  # fmt: skip
    fresh = ek.semi_join(
        s, [ek.person_id == s.s_person, known_before(s.s_known, ek.as_of_day), s.s_day >= ek.lo]
    )
    fresh = fresh.select(*PERSON_KEYS).mutate(fresh_sgi=ibis.literal(1))
    errors = _confirmed_errors(ctx, ek, "person_id")
    t = left_attach(
        left_attach(left_attach(e, paid, PERSON_KEYS), fresh, PERSON_KEYS), errors, PERSON_KEYS
    )
    has_sgi = t.fresh_sgi.fill_null(0) == 1
    return t.group_by(EMP_KEYS).aggregate(
        n=t.count(),
        on_benefit=t.on_benefit.fill_null(0).sum(),
        new_sgi=(t.is_new & has_sgi).ifelse(1, 0).sum(),
        sgi=has_sgi.ifelse(1, 0).sum(),
        errors=t.errors.fill_null(0).sum(),
    )


def _employer(ctx: BuildContext) -> ir.Table:
    cfg = ctx.settings.network
    pk = ctx.person_keys.select(k_person="person_id", k_day="as_of_day", as_of_ym="as_of_ym")
    me = ctx.main_employer
    me = me.join(pk, [me.person_id == pk.k_person, me.as_of_day == pk.k_day])
    me = me.select("person_id", "as_of_day", "employer_id", "as_of_ym")
    me = ctx.with_month_start(me, me.as_of_ym, "snap_day")
    st = _employer_stats(ctx).rename(snap_day="as_of_day")
    j = left_attach(me, st, ["employer_id", "snap_day"])
    emp = ctx.tables["employers"]
    j = left_attach(j, emp.select("employer_id", "registered_date"), ["employer_id"])
    is_new = (
        known_by(j, "employers", j.as_of_day)
        & (day(j.registered_date) >= j.as_of_day - cfg.new_employer_days)
    ).fill_null(False)
    # the person's own errors as the employer's count saw them (at the start of D's month)
    own_keys = me.select("person_id", as_of_day=me.snap_day)
    own = _confirmed_errors(ctx, own_keys, "person_id").rename(
        own_errors="errors", snap_day="as_of_day"
    )
    j = left_attach(j, own, ["person_id", "snap_day"])
    n = j.n.fill_null(0)

    def share(v: ir.IntegerValue) -> ir.FloatingValue:
        return (n > 0).ifelse(v.cast("float64") / n, ibis.null("float64"))

    return j.select(
        *PERSON_KEYS,
        net_employer_benefit_share=share(j.on_benefit.fill_null(0)),
        net_employer_new_sgi_share=share(j.new_sgi.fill_null(0)),
        net_new_employer_sgi_decisions=is_new.ifelse(j.sgi.fill_null(0), 0),
        net_employer_confirmed_errors=ibis.greatest(
            j.errors.fill_null(0) - j.own_errors.fill_null(0), 0
        ),
    )


def _household(ctx: BuildContext) -> ir.Table:
    """Confirmed errors of the household's members known by D-1, less the person's own.

    Summed per household first: pairing every member with every other one first costs the sum of
    the squared household sizes of the whole population, as DuckDB orders those joins.
    """
    persons = ctx.tables["persons"].select("person_id", "household_id")
    pk = ctx.person_keys.select(*PERSON_KEYS)
    hk = pk.join(persons, "person_id").filter(lambda t: t.household_id.notnull())
    households = hk.select("household_id", "as_of_day").distinct()
    members = persons.rename(m_person="person_id", m_household="household_id")
    hm = households.join(members, households.household_id == members.m_household)
    mk = hm.select(person_id=hm.m_person, as_of_day=hm.as_of_day, household_id=hm.household_id)
    errors = _confirmed_errors(ctx, mk, "person_id")
    me = left_attach(mk, errors, PERSON_KEYS)
    per_household = me.group_by(["household_id", "as_of_day"]).aggregate(
        h_errors=me.errors.fill_null(0).sum()
    )
    j = left_attach(
        left_attach(hk, per_household, ["household_id", "as_of_day"]), errors, PERSON_KEYS
    )
    return j.select(
        *PERSON_KEYS,
        net_household_confirmed_errors=j.h_errors.fill_null(0) - j.errors.fill_null(0),
    )


def _provider(ctx: BuildContext) -> ir.Table:
    w = ctx.tables["work_time_reports"]
    r = w.select(
        r_case=w.client_case_id,
        provider_id=w.provider_id,
        wd=day(w.work_date),
        sub=known_from_day(w, "work_time_reports"),
    )
    k = ctx.keys.filter(ctx.keys.benefit == "ASS").select(*CASE_KEYS, "lo", "hi")
    own = k.join(r, k.case_id == r.r_case)
    own = own.filter(known_before(own.sub, own.as_of_day), own.wd >= own.lo, own.wd <= own.hi)
    provs = own.select(*CASE_KEYS, "provider_id", "lo", "hi").distinct()
    pw = provs.select("provider_id", "as_of_day", "lo", "hi").distinct()
    clients = pw.join(r, "provider_id")
    clients = clients.filter(
        known_before(clients.sub, clients.as_of_day),
        clients.wd >= clients.lo,
        clients.wd <= clients.hi,
    )
    clients = clients.select("provider_id", "as_of_day", case_id=clients.r_case).distinct()
    errors = _confirmed_errors(ctx, clients, "case_id")
    pe = clients.join(errors, CASE_KEYS)
    pe = pe.select("provider_id", "as_of_day", o_case=pe.case_id, errors=pe.errors)
    j = provs.join(pe, ["provider_id", "as_of_day"])
    j = j.filter(j.o_case != j.case_id)
    j = j.select(*CASE_KEYS, "o_case", "errors").distinct()
    return j.group_by(CASE_KEYS).aggregate(net_provider_confirmed_errors=j.errors.sum())


def build(ctx: BuildContext) -> list[ir.Table]:
    """Person-level (person_id, as_of_day) and ASS case-level (case_id, as_of_day) tables."""
    return [_employer(ctx), _household(ctx), _provider(ctx)]
