"""The rule engine: coordination rules 1-6 of the contract as rule-break periods, swept once.

`rule_breaks(ctx)` is one Ibis expression with one row per period in which a case key breaks a
rule: the case, the rule, the days (first_day..last_day, inclusive day numbers), and what an
investigator needs to check it (the person's paid extent of each benefit on those days, the other
case involved, a reference day such as an age limit, the figure of the law crossed). A period is
a maximal run of consecutive days of one case key and rule on which all of that stays the same.
Only payments known by D-1 count, reversals cancel their days, and periods are swept over period
boundaries, never expanded to days. A rule whose figure changes with the law (rules.toml names
it, benefit_rules.toml dates it) is applied as in force on each day: its periods enter the sweep
as events, so a payment crossing a change is split there. The overlap features, the reason
facts and the timeline's red marks are all derived from this one table.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from features.context import FAR_PAST, BuildContext, left_attach
from features.pit import day, known_before
from features.sweep import align, interval_events, segments
from felrisk.rules import CoordinationRules

CASE_KEYS = ["case_id", "as_of_day"]

# Rule names of the engine's `rule` column, in the contract's order.
EXTENT = "extent"  # rule 1: summed extents above max_total
FORBIDDEN_PAIR = "forbidden_pair"  # rule 2: a forbidden partner paid the same day
SICKPAY_PERIOD = "sickpay_period"  # rule 3: blocked benefit in an employee's sick-pay period
BOTH_PARENTS = "both_parents"  # rule 4: a never-together benefit paid to both parents
DOUBLE_DAYS_AGE = "double_days_age"  # rule 4: double days after the child's age limit
DOUBLE_DAYS_QUOTA = "double_days_quota"  # rule 4: double days past the quota per child
AGE = "age"  # rule 5: paid outside the benefit's age limits
COVERAGE = "coverage"  # rule 6: paid before insured_from
RULES = (
    EXTENT,
    FORBIDDEN_PAIR,
    SICKPAY_PERIOD,
    BOTH_PARENTS,
    DOUBLE_DAYS_AGE,
    DOUBLE_DAYS_QUOTA,
    AGE,
    COVERAGE,
)


def composition_benefits(rules: CoordinationRules) -> tuple[str, ...]:
    """Benefits whose paid extents a period of rule 1 or 2 carries (ext_<benefit>), sorted."""
    pairs = {b for p in rules.forbidden_pairs for b in p.benefits}
    return tuple(sorted(set(rules.extent.benefits) | pairs))


def break_columns(rules: CoordinationRules) -> list[str]:
    """The engine's columns, in order."""
    ext = [f"ext_{b}" for b in composition_benefits(rules)]
    return [
        "case_id",
        "as_of_day",
        "person_id",
        "benefit",
        "rule",
        "first_day",
        "last_day",
        "days",
        "other_case",
        "ref_day",
        "limit",
        *ext,
    ]


def _law_events(
    k: ir.Table, periods, values: dict[str, object], lo=FAR_PAST, hi=None
) -> list[ir.Table]:
    """Events of a dated figure's periods ((first, last, ...) day numbers, None: open) per case
    key of `k`, clipped to [lo, hi] (hi: the key's window end); `values` maps each value column
    to a function of the period giving its value."""
    hi = k.hi if hi is None else hi
    out = []
    for period in periods:
        first, last = period[0], period[1]
        if first is None:
            s = lo
        else:
            s = max(lo, first) if isinstance(lo, int) else ibis.greatest(lo, first)
        e = hi if last is None else ibis.least(hi, last)
        t = k.mutate(_ls=ibis.literal(s, "int64") if isinstance(s, int) else s, _le=e)
        vals = {n: ibis.literal(float(f(period))) for n, f in values.items()}
        out.append(interval_events(t, CASE_KEYS, "_ls", "_le", vals))
    return out


def _person_payments(ctx: BuildContext) -> ir.Table:
    """Per case key (with its benefit): the person's payments known by D-1 that touch the span
    of the window this case was paid for (its own payments' first to last day there, which
    replaces the window's lo and hi; a key without one drops out).

    Every use is a piece this case paid for (`own` above the tolerance), and a payment wholly
    outside that span adds and takes back its extent outside it too, so it changes no such piece:
    leaving it out halves the rows swept (1.31 to 0.66 million at 1M persons)."""
    k = ctx.keys.select("case_id", "as_of_day", "person_id", "benefit", "lo", "hi")
    own = ctx.case_payments_in_window(k)
    span = own.group_by(CASE_KEYS).aggregate(lo=own.s.min(), hi=own.e.max())
    k = k.drop("lo", "hi").join(span, CASE_KEYS)
    return ctx.person_payments_in_window(k)


def _pair_groups(rules: CoordinationRules) -> list[tuple[tuple, list]]:
    """The forbidden pairs grouped by the days they are in force ((None, None): always), the
    always-group first: one running sum per group, not per benefit."""
    groups: dict[tuple, list] = {((None, None),): []}
    for pair in rules.forbidden_pairs:
        groups.setdefault(rules.pair_periods(pair), []).append(pair)
    return list(groups.items())


def person_segments(ctx: BuildContext) -> ir.Table:
    """Per case key, constant pieces [start, end) of the person's payments known by D-1 in the
    window: `own` (this case's net extent), `tot` (the person's net extent of rule 1's benefits)
    and, per group of forbidden pairs in force on the same days (`_pair_groups`), `forb_<g>`: the
    extent paid of benefits such a pair forbids beside the case's benefit, and for a group not
    always in force `law_<g>`, 1 on its days (pieces split where one starts or ends). The rule
    engine's one sweep: the overlap features count their paid days on the same pieces. The
    pieces' extent per benefit is joined to the few that break a rule (`_with_composition`)."""
    j = _person_payments(ctx)
    k = ctx.keys.select("case_id", "as_of_day", "lo", "hi")
    extent = list(ctx.rules.extent.benefits)
    values = {
        "own": (j.pay_case == j.case_id).ifelse(j.ext, 0.0),
        "tot": j.pay_benefit.isin(extent).ifelse(j.ext, 0.0),
    }
    laws, law_names = [], []
    for g, (periods, pairs) in enumerate(_pair_groups(ctx.rules)):
        beside = [
            ((j.benefit == x) & (j.pay_benefit == other)).ifelse(j.ext, 0.0)
            for pair in pairs
            for x, other in (pair.benefits, pair.benefits[::-1])
        ]
        values[f"forb_{g}"] = sum(beside, ibis.literal(0.0))
        if g:
            laws += _law_events(k, periods, {f"law_{g}": lambda _: 1.0}, lo=k.lo)
            law_names.append(f"law_{g}")
    events = [interval_events(j, CASE_KEYS, "s", "e", values), *laws]
    names = [*values, *law_names]
    return segments(align(events, CASE_KEYS, names), CASE_KEYS, names)


def _forbidden_beside(seg: ir.Table, rules: CoordinationRules) -> ir.FloatingValue:
    """The extent paid beside a piece's case of benefits a forbidden pair in force forbids."""
    forb = seg.forb_0
    for g in range(1, len(_pair_groups(rules))):
        forb = forb + (seg[f"law_{g}"] > 0.5).ifelse(seg[f"forb_{g}"], 0.0)
    return forb


def _with_composition(ctx: BuildContext, pieces: ir.Table) -> ir.Table:
    """`pieces` (of `person_segments`) with ext_<benefit>: the person's net extent of each benefit
    of `composition_benefits` on the piece. A piece is constant, so any payment touching it
    covers it whole."""
    p = _person_payments(ctx)
    p = p.select(
        c_case=p.case_id, c_day=p.as_of_day, c_s=p.s, c_e=p.e, c_b=p.pay_benefit, c_x=p.ext
    )
    j = pieces.join(
        p,
        [
            pieces.case_id == p.c_case,
            pieces.as_of_day == p.c_day,
            p.c_s <= pieces.start,
            p.c_e >= pieces.end - 1,
        ],
    )
    keys = [*CASE_KEYS, "start"]
    comp = j.group_by(keys).aggregate(
        **{
            f"ext_{b}": (j.c_b == b).ifelse(j.c_x, 0.0).sum()
            for b in composition_benefits(ctx.rules)
        }
    )
    return left_attach(pieces, comp, keys)


def _bounds(ctx: BuildContext) -> ir.Table:
    """Per case key: the case's benefit, allowed days [age_lo, age_hi) of rule 5 (null: no
    limit) and the person's insured_from day (`ins`)."""
    k = ctx.keys
    persons = ctx.tables["persons"].select(
        p_id="person_id", p_birth="birth_date", p_insured="insured_from"
    )
    kids = _child_births(ctx)
    j = k.left_join(persons, k.person_id == persons.p_id)
    j = j.left_join(kids, j.child_id == kids.ch_id)
    lo_cases, hi_cases = [], []
    for benefit, rule in ctx.rules.age.items():
        birth = j.ch_birth if rule.subject == "child" else j.p_birth

        def bound(years: int | None, by_month: bool = rule.by_month, birth=birth):
            if years is None:
                return ibis.null("int64")
            d = (birth + ibis.interval(years=years)).cast("date")
            if by_month:
                d = ibis.date(d.year(), d.month(), 1)
            return day(d)

        lo_cases.append((j.benefit == benefit, bound(rule.min_age)))
        hi_cases.append((j.benefit == benefit, bound(rule.max_age_exclusive)))
    return j.select(
        b_case=j.case_id,
        b_day=j.as_of_day,
        kb=j.benefit,
        age_lo=ibis.cases(*lo_cases, else_=ibis.null("int64")),
        age_hi=ibis.cases(*hi_cases, else_=ibis.null("int64")),
        ins=day(j.p_insured),
    )


def _child_births(ctx: BuildContext) -> ir.Table:
    children = ctx.tables["children"]
    return children.group_by(ch_id=children.child_id).aggregate(
        ch_birth=children.child_birth_date.min()
    )


def _person_breaks(ctx: BuildContext) -> ir.Table:
    """Rules 1, 2, 5 and 6 from one sweep of the person's payments: each own-paid piece that
    breaks a rule, once per rule it breaks (a cross join with the rule names, then a filter)."""
    tol, rules = ctx.tolerance, ctx.rules
    seg = person_segments(ctx)
    seg = seg.filter(seg.own > tol)
    b = _bounds(ctx)
    seg = seg.join(b, [seg.case_id == b.b_case, seg.as_of_day == b.b_day])
    over = seg.tot > rules.extent.max_total + tol
    has_forb = _forbidden_beside(seg, rules) > tol
    below = seg.age_lo.notnull() & (seg.start < seg.age_lo)
    above = seg.age_hi.notnull() & (seg.end > seg.age_hi)
    uninsured = seg.ins.notnull() & (seg.start < seg.ins)
    seg = seg.mutate(
        _over=over, _forb=has_forb, _below=below, _above=above, _unins=uninsured
    ).filter(over | has_forb | below | above | uninsured)
    seg = _with_composition(ctx, seg)
    parts = ibis.memtable(
        {"_part": [EXTENT, FORBIDDEN_PAIR, "age_below", "age_above", COVERAGE]},
        schema={"_part": "string"},
    )
    x = seg.cross_join(parts)
    is_ = {p: x._part == p for p in (EXTENT, FORBIDDEN_PAIR, "age_below", "age_above", COVERAGE)}
    broken = ibis.cases(
        (is_[EXTENT], x._over),
        (is_[FORBIDDEN_PAIR], x._forb),
        (is_["age_below"], x._below),
        (is_["age_above"], x._above),
        else_=x._unins,
    )
    first = ibis.cases((is_["age_above"], ibis.greatest(x.start, x.age_hi)), else_=x.start)
    end = ibis.cases(
        (is_["age_below"], ibis.least(x.end, x.age_lo)),
        (is_[COVERAGE], ibis.least(x.end, x.ins)),
        else_=x.end,
    )
    ref = ibis.cases(
        (is_["age_below"], x.age_lo),
        (is_["age_above"], x.age_hi),
        (is_[COVERAGE], x.ins),
        else_=ibis.null("int64"),
    )
    with_comp = is_[EXTENT] | is_[FORBIDDEN_PAIR]
    x = x.filter(broken)
    return x.select(
        "case_id",
        "as_of_day",
        rule=ibis.cases((x._part.isin(["age_below", "age_above"]), AGE), else_=x._part),
        start=first,
        end=end,
        other_case=ibis.null("string"),
        ref_day=ref,
        limit=ibis.null("float64"),
        **{
            f"ext_{b}": with_comp.ifelse(v.round(6), ibis.null("float64"))
            for b, v in ((b, x[f"ext_{b}"]) for b in composition_benefits(rules))
        },
    )


def _windowed(ctx: BuildContext, j: ir.Table, clip_low: bool) -> ir.Table:
    """Payments of `j` known by D-1 that touch the window (or any day before its end when
    `clip_low` is False), with s, e: the period clipped to it."""
    lo = j.lo if clip_low else FAR_PAST
    j = j.filter(known_before(j.paid_day, j.as_of_day), j.pe >= lo, j.ps <= j.hi)
    return j.mutate(s=ibis.greatest(j.ps, lo), e=ibis.least(j.pe, j.hi))


def _own_events(ctx: BuildContext, k: ir.Table, clip_low: bool = True) -> ir.Table:
    """Events (value `own`) of a case key's own payments known by D-1."""
    p = ctx.payments
    j = _windowed(ctx, k.join(p, k.case_id == p.pay_case), clip_low)
    return interval_events(j, CASE_KEYS, "s", "e", {"own": j.ext})


def _other_parent_payments(
    ctx: BuildContext, k: ir.Table, benefit: str, clip_low: bool
) -> ir.Table:
    """Payments of `benefit` known by D-1 to other persons' cases for the same child as the case
    key: CASE_KEYS, o_case, s, e, ext."""
    c = ctx.cases.filter(ctx.cases.c_benefit == benefit)
    kc = k.join(c, [k.child_id == c.c_child, k.person_id != c.c_person])
    p = ctx.payments
    j = _windowed(ctx, kc.join(p, kc.c_case == p.pay_case), clip_low)
    return j.select(*CASE_KEYS, o_case=j.c_case, s=j.s, e=j.e, ext=j.ext)


def _other_case(pieces: ir.Table, others: ir.Table, tol: float) -> ir.Table:
    """`pieces` (CASE_KEYS, start, end, unique per case key and start) with other_case: the
    smallest id among the other cases whose net extent over the piece is positive. A piece is
    constant, so any payment touching it covers it whole. `pieces` is read once: a piece used
    twice (a join, then a left join back) was swept twice in the compiled SQL."""
    o = others.rename(o_cid="case_id", o_day="as_of_day")
    j = pieces.left_join(
        o,
        [
            pieces.case_id == o.o_cid,
            pieces.as_of_day == o.o_day,
            o.s <= pieces.start,
            o.e >= pieces.end - 1,
        ],
    )
    cols = list(pieces.columns)
    net = j.group_by([*cols, "o_case"]).aggregate(net=j.ext.sum())
    return net.group_by(cols).aggregate(other_case=net.o_case.min(where=net.net > tol))


def _sickpay_breaks(ctx: BuildContext) -> ir.Table:
    """Rule 3: own-paid days of the blocked benefit inside the employer's sick-pay period of the
    person's employee sickness cases opened before D; other_case is the sickness case, ref_day
    its insured_event_date."""
    rule = ctx.rules.sickpay_period
    tol = ctx.tolerance
    k = ctx.keys.filter(ctx.keys.benefit == rule.blocked_benefit)
    k = k.select("case_id", "as_of_day", "person_id", "child_id", "lo", "hi")
    c = ctx.cases.filter(
        (ctx.cases.c_benefit == rule.sickness_benefit)
        & (ctx.cases.c_employment == rule.employment_type)
    )
    j = k.join(c, k.person_id == c.c_person)
    j = j.filter(known_before(j.c_opened, j.as_of_day))
    j = j.mutate(
        s=ibis.greatest(j.c_ied + (rule.first_day - 1), j.lo),
        e=ibis.least(j.c_ied + (rule.last_day - 1), j.hi),
    )
    sick = interval_events(j, CASE_KEYS, "s", "e", {"sick": ibis.literal(1.0)})
    ev = align([_own_events(ctx, k), sick], CASE_KEYS, ["own", "sick"])
    seg = segments(ev, CASE_KEYS, ["own", "sick"])
    br = seg.filter((seg.own > tol) & (seg.sick > 0.5)).select(*CASE_KEYS, "start", "end")
    periods = j.filter(j.s <= j.e).select(*CASE_KEYS, o_case=j.c_case, s=j.s, e=j.e, ext=1.0)
    br = _other_case(br, periods, 0.5)
    ied = j.select(i_case=j.c_case, i_day=j.c_ied).distinct()
    br = br.left_join(ied, br.other_case == ied.i_case)
    return _shape(br, SICKPAY_PERIOD, ref_day=br.i_day)


def _both_parents_breaks(ctx: BuildContext) -> ir.Table:
    """Rule 4, never-together benefits: own-paid days on which another parent was paid the same
    benefit for the same child; other_case is that parent's case."""
    tol = ctx.tolerance
    never = list(ctx.rules.both_parents.never)
    k = ctx.keys.filter(ctx.keys.benefit.isin(never) & ctx.keys.child_id.notnull())
    k = k.select("case_id", "as_of_day", "person_id", "child_id", "lo", "hi", "benefit")
    others = [_other_parent_payments(ctx, k.filter(k.benefit == b), b, True) for b in never]
    others = others[0].union(*others[1:]) if len(others) > 1 else others[0]
    other_ev = interval_events(others, CASE_KEYS, "s", "e", {"other": others.ext})
    ev = align([_own_events(ctx, k), other_ev], CASE_KEYS, ["own", "other"])
    seg = segments(ev, CASE_KEYS, ["own", "other"])
    br = seg.filter((seg.own > tol) & (seg.other > tol)).select(*CASE_KEYS, "start", "end")
    br = _other_case(br, others, tol)
    return _shape(br, BOTH_PARENTS, ref_day=ibis.null("int64"))


def _double_day_breaks(ctx: BuildContext) -> ir.Table:
    """Rule 4 double days: both parents paid for one child on one day is allowed only before the
    child's age limit (ref_day: the limit day) and for at most the quota of days per child,
    counted over all history; the days past the quota are the last ones of the piece that crosses
    it. Both figures are those in force on the day the double day is paid (`limit`: the quota,
    or the age limit in months, that the period broke); a day no age period covers allows none."""
    rule = ctx.rules.both_parents
    benefit = rule.double_day_benefit
    tol = ctx.tolerance
    k = ctx.keys.filter((ctx.keys.benefit == benefit) & ctx.keys.child_id.notnull())
    k = k.select("case_id", "as_of_day", "person_id", "child_id", "lo", "hi")
    kids = _child_births(ctx)
    kk = k.join(kids, k.child_id == kids.ch_id)
    law = []
    for first, last, months in ctx.rules.in_force_periods(rule.age_months_rule, benefit):
        until = day((kk.ch_birth + ibis.interval(months=int(months))).cast("date"))
        t = kk.mutate(
            s=ibis.greatest(day(kk.ch_birth), first),
            e=ibis.least(until - 1, kk.hi if last is None else ibis.least(last, kk.hi)),
        )
        law.append(interval_events(t, CASE_KEYS, "s", "e", {"young": ibis.literal(1.0)}))
        whole = kk.mutate(
            s=ibis.literal(first, "int64"),
            e=kk.hi if last is None else ibis.least(last, kk.hi),
            _until=until,
        )
        limits = {"until": whole._until, "months": ibis.literal(months)}
        law.append(interval_events(whole, CASE_KEYS, "s", "e", limits))
    quota = ctx.rules.in_force_periods(rule.quota_rule, benefit)
    law += _law_events(kk, quota, {"quota": lambda p: p[2]})
    mark = interval_events(k.mutate(s=k.lo), CASE_KEYS, "s", "s", {"young": ibis.literal(0.0)})
    others = _other_parent_payments(ctx, k, benefit, clip_low=False)
    other_ev = interval_events(others, CASE_KEYS, "s", "e", {"other": others.ext})
    values = ["own", "other", "young", "until", "months", "quota"]
    own = _own_events(ctx, k, clip_low=False)
    seg = segments(align([own, other_ev, *law, mark], CASE_KEYS, values), CASE_KEYS, values)
    length = seg.end - seg.start
    double = (seg.own > tol) & (seg.other > tol)
    is_young = seg.young > 0.5
    seg = seg.mutate(_yd=(double & is_young).ifelse(length, 0), _double=double, _young=is_young)
    running = ibis.window(group_by=CASE_KEYS, order_by="start", rows=(None, 0))
    seg = seg.mutate(_cum=seg._yd.sum().over(running))
    q = seg.quota.round().cast("int64")
    over = ibis.greatest(seg._cum - q, 0) - ibis.greatest(seg._cum - seg._yd - q, 0)
    seg = seg.filter(seg._double & (~seg._young | (over > 0)))
    has_age = seg.months > 0.5
    seg = seg.mutate(
        _rule=seg._young.ifelse(DOUBLE_DAYS_QUOTA, DOUBLE_DAYS_AGE),
        start=seg._young.ifelse(seg.end - over, seg.start),
        _ref=(~seg._young & has_age).ifelse(seg.until.round().cast("int64"), ibis.null("int64")),
        _limit=seg._young.ifelse(seg.quota, has_age.ifelse(seg.months, ibis.null("float64"))),
    )
    keys_lo = k.select(w_case="case_id", w_day="as_of_day", w_lo="lo")
    seg = seg.join(keys_lo, [seg.case_id == keys_lo.w_case, seg.as_of_day == keys_lo.w_day])
    seg = seg.filter(seg.start >= seg.w_lo)
    br = _other_case(seg.select(*CASE_KEYS, "start", "end", "_rule", "_ref", "_limit"), others, tol)
    return _shape(br, br._rule, ref_day=br._ref, limit=br._limit)


def _shape(t: ir.Table, rule, ref_day, limit=None) -> ir.Table:
    """A piece table (CASE_KEYS, start, end, other_case) in the shape of `_person_breaks`."""
    rule = ibis.literal(rule) if isinstance(rule, str) else rule
    return t.select(
        "case_id",
        "as_of_day",
        rule=rule,
        start="start",
        end="end",
        other_case=t.other_case.cast("string"),
        ref_day=ref_day.cast("int64"),
        limit=ibis.null("float64") if limit is None else limit.cast("float64"),
    )


def _merge(pieces: ir.Table, attrs: list[str]) -> ir.Table:
    """Pieces [start, end) to periods: consecutive pieces of one case key and rule with equal
    attributes become one period (gaps and islands with window functions)."""
    group = [*CASE_KEYS, "rule"]
    w = ibis.window(group_by=group, order_by="start")
    same = pieces.start == pieces.end.lag().over(w)
    for a in attrs:
        same = same & pieces[a].identical_to(pieces[a].lag().over(w))
    t = pieces.mutate(_new=(~same.fill_null(False)).cast("int64"))
    running = ibis.window(group_by=group, order_by="start", rows=(None, 0))
    t = t.mutate(_period=t._new.sum().over(running))
    return t.group_by([*group, "_period", *attrs]).aggregate(
        first_day=t.start.min(), last_day=t.end.max() - 1, days=(t.end - t.start).sum()
    )


def rule_breaks(ctx: BuildContext) -> ir.Table:
    """One row per rule-break period of the context's case keys (columns: `break_columns`)."""
    rules = ctx.rules
    ext = [f"ext_{b}" for b in composition_benefits(rules)]
    person = _person_breaks(ctx)
    others = [_sickpay_breaks(ctx), _both_parents_breaks(ctx), _double_day_breaks(ctx)]
    others = [o.mutate(**{c: ibis.null("float64") for c in ext}) for o in others]
    pieces = person.union(*others)
    attrs = ["other_case", "ref_day", "limit", *ext]
    periods = _merge(pieces, attrs)
    k = ctx.keys.select(
        k_case="case_id", k_day="as_of_day", person_id="person_id", benefit="benefit"
    )
    out = periods.join(k, [periods.case_id == k.k_case, periods.as_of_day == k.k_day])
    return out.select(*break_columns(rules))
