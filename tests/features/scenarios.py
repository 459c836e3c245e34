"""Hand-built cases with known answers, one small story per person, all as of D = 2025-06-01.

Each story sets up a pattern (or a false alarm of the domain brief) and EXPECTED says what the
features must be; the fixed features of every case not named there must be 0.
"""

from __future__ import annotations

from datetime import date

AS_OF = date(2025, 6, 1)

FIXED = (
    "overlap_excess_days",
    "overlap_forbidden_days",
    "tfp_in_sickpay_period_days",
    "sgi_hours_days_mixup",
    "assistant_days_over_24h",
)

PERSONS = [
    {"person_id": p}
    for p in (
        [
            "EX",
            "HF",
            "RV",
            "KS",
            "AS",
            "TS",
            "TN",
            "BA",
            "BB",
            "DA",
            "DB",
            "EA",
            "EB",
            "QA",
            "QB",
            "AG",
            "IN",
            "MX",
            "MY",
            "MZ",
            "MW",
            "AP1",
            "AP2",
            "AS1",
            "AS2",
        ]
    )
] + [
    {"person_id": "SEP", "birth_date": "1960-04-15"},
    {"person_id": "AE1", "birth_date": "1995-06-20"},
    {"person_id": "AE2", "birth_date": "1995-05-20"},
]
for p in PERSONS:
    if p["person_id"] == "IN":
        p["insured_from"] = "2025-03-10"

CHILDREN = [
    {"child_id": "EXC", "parent_id": "EX", "child_birth_date": "2024-01-01"},
    {"child_id": "HFC", "parent_id": "HF", "child_birth_date": "2024-01-01"},
    {"child_id": "RVC", "parent_id": "RV", "child_birth_date": "2024-01-01"},
    {"child_id": "TSC", "parent_id": "TS", "child_birth_date": "2020-01-01"},
    {"child_id": "TNC", "parent_id": "TN", "child_birth_date": "2020-01-01"},
    {"child_id": "BC", "parent_id": "BA", "child_birth_date": "2020-05-01"},
    {"child_id": "BC", "parent_id": "BB", "child_birth_date": "2020-05-01"},
    {"child_id": "DC", "parent_id": "DA", "child_birth_date": "2025-01-01"},
    {"child_id": "DC", "parent_id": "DB", "child_birth_date": "2025-01-01"},
    {"child_id": "EC", "parent_id": "EA", "child_birth_date": "2023-06-01"},
    {"child_id": "EC", "parent_id": "EB", "child_birth_date": "2023-06-01"},
    {"child_id": "QC", "parent_id": "QA", "child_birth_date": "2024-10-01"},
    {"child_id": "QC", "parent_id": "QB", "child_birth_date": "2024-10-01"},
    {"child_id": "AGC", "parent_id": "AG", "child_birth_date": "2013-03-01"},
]


def _case(case_id, person, benefit, **kw):
    return {"case_id": case_id, "person_id": person, "benefit": benefit, **kw}


CASES = [
    # rule 1: SJP 100 % and FP 100 % on 12 days
    _case("EX_S", "EX", "SJP", employment_type="self_employed"),
    _case("EX_F", "EX", "FP", child_id="EXC"),
    # false alarm: legitimate half SJP and half FP
    _case("HF_S", "HF", "SJP", employment_type="self_employed"),
    _case("HF_F", "HF", "FP", child_id="HFC"),
    # false alarm: an overlapping FP payment reversed before D
    _case("RV_S", "RV", "SJP", employment_type="self_employed"),
    _case("RV_F", "RV", "FP", child_id="RVC"),
    # rule 2: KAR beside SJP (also an excess); AKS half beside SJP half (forbidden, no excess)
    _case("KS_S", "KS", "SJP", employment_type="self_employed"),
    _case("KS_K", "KS", "KAR"),
    _case("AS_A", "AS", "AKS"),
    _case("AS_S", "AS", "SJP", employment_type="unemployed"),
    # rule 3: TFP inside an employee's sick-pay period; not for the self-employed
    _case("TS_S", "TS", "SJP", employment_type="employee", insured_event_date="2025-02-01"),
    _case("TS_T", "TS", "TFP", child_id="TSC"),
    _case("TN_S", "TN", "SJP", employment_type="self_employed", insured_event_date="2025-02-01"),
    _case("TN_T", "TN", "TFP", child_id="TNC"),
    # rule 4: TFP to both parents for one child
    _case("BA_T", "BA", "TFP", child_id="BC"),
    _case("BB_T", "BB", "TFP", child_id="BC"),
    # rule 4 false alarm: 20 double days for a young child
    _case("DA_F", "DA", "FP", child_id="DC"),
    _case("DB_F", "DB", "FP", child_id="DC"),
    # rule 4: double days after the child's 15 months
    _case("EA_F", "EA", "FP", child_id="EC"),
    _case("EB_F", "EB", "FP", child_id="EC"),
    # rule 4: 70 double days, 10 past the quota of 60
    _case("QA_F", "QA", "FP", child_id="QC"),
    _case("QB_F", "QB", "FP", child_id="QC"),
    # rule 5: TFP past the child's 12th birthday; SE past 65; AE by month
    _case("AG_T", "AG", "TFP", child_id="AGC"),
    _case("SE_1", "SEP", "SE"),
    _case("AE_1", "AE1", "AE"),
    _case("AE_2", "AE2", "AE"),
    # rule 6: paid before insured_from
    _case("IN_S", "IN", "SJP", employment_type="self_employed"),
    # SGI: hours entered as days; normal; newer decision not yet known; SGI too low
    _case("MX_S", "MX", "SJP", employment_type="employee", insured_event_date="2025-04-01"),
    _case("MY_S", "MY", "SJP", employment_type="employee", insured_event_date="2025-04-01"),
    _case("MZ_S", "MZ", "SJP", employment_type="employee", insured_event_date="2025-04-01"),
    _case("MW_S", "MW", "SJP", employment_type="employee", insured_event_date="2025-04-01"),
    # assistance: an assistant over 24 hours, hours above the grant, an assistant on full SJP
    _case("AC1", "AP1", "ASS", granted_hours_per_week=40.0),
    _case("AC2", "AP2", "ASS", granted_hours_per_week=100.0),
    _case("AS2_S", "AS2", "SJP", employment_type="self_employed"),
]


def _pay(case_id, start, end, extent=1.0, **kw):
    return {"case_id": case_id, "period_start": start, "period_end": end, "extent": extent, **kw}


PAYMENTS = [
    _pay("EX_S", "2025-03-01", "2025-03-31"),
    _pay("EX_F", "2025-03-20", "2025-04-10"),
    _pay("HF_S", "2025-03-01", "2025-03-31", 0.5),
    _pay("HF_F", "2025-03-01", "2025-03-31", 0.5),
    _pay("RV_S", "2025-03-01", "2025-03-31"),
    _pay("RV_F", "2025-03-10", "2025-03-19"),
    _pay("RV_F", "2025-03-10", "2025-03-19", amount_sek=-1000.0, paid_date="2025-04-01"),
    _pay("KS_S", "2025-03-01", "2025-03-10"),
    _pay("KS_K", "2025-03-01", "2025-03-01", amount_sek=804.0),
    _pay("AS_A", "2025-04-01", "2025-04-10", 0.5),
    _pay("AS_S", "2025-04-05", "2025-04-20", 0.5),
    _pay("TS_S", "2025-02-15", "2025-02-28"),
    _pay("TS_T", "2025-01-30", "2025-02-03"),
    _pay("TN_S", "2025-02-15", "2025-02-28"),
    _pay("TN_T", "2025-02-01", "2025-02-03"),
    _pay("BA_T", "2025-03-03", "2025-03-07"),
    _pay("BB_T", "2025-03-06", "2025-03-10"),
    _pay("DA_F", "2025-01-01", "2025-05-31"),
    _pay("DB_F", "2025-02-01", "2025-02-20"),
    _pay("EA_F", "2024-08-01", "2024-09-30"),
    _pay("EB_F", "2024-08-20", "2024-09-10"),
    _pay("QA_F", "2024-10-01", "2025-03-31"),
    _pay("QB_F", "2024-11-01", "2025-01-09"),
    _pay("AG_T", "2025-02-25", "2025-03-05"),
    _pay("SE_1", "2025-04-01", "2025-04-30"),
    _pay("AE_1", "2025-05-01", "2025-05-31"),
    _pay("AE_2", "2025-05-01", "2025-05-31"),
    _pay("IN_S", "2025-03-01", "2025-03-20"),
    _pay("MX_S", "2025-04-15", "2025-05-15"),
    _pay("MY_S", "2025-04-15", "2025-05-15"),
    _pay("MZ_S", "2025-04-15", "2025-05-15"),
    _pay("MW_S", "2025-04-15", "2025-05-15"),
    _pay("AC1", "2025-03-01", "2025-03-31", hours=100.0, amount_sek=30000.0),
    _pay("AC2", "2025-03-01", "2025-03-31", hours=100.0, amount_sek=30000.0),
    _pay("AS2_S", "2025-03-01", "2025-03-10"),
]


def _sgi(sgi_id, person, decided, sgi, hours):
    return {
        "sgi_id": sgi_id,
        "person_id": person,
        "decision_date": decided,
        "valid_from": decided,
        "annual_sgi_sek": sgi,
        "annual_work_hours": hours,
    }


SGI = [
    _sgi("G_MX", "MX", "2025-01-10", 300000.0, 260.0),
    _sgi("G_MY", "MY", "2025-01-10", 300000.0, 2080.0),
    _sgi("G_MZ1", "MZ", "2025-01-10", 300000.0, 2080.0),
    _sgi("G_MZ2", "MZ", "2025-06-01", 300000.0, 260.0),
    _sgi("G_MW", "MW", "2025-01-10", 99000.0, 200.0),
]


def _wtr(assistant, case_id, work_date, hours, **kw):
    return {
        "assistant_id": assistant,
        "client_case_id": case_id,
        "work_date": work_date,
        "hours": hours,
        **kw,
    }


WORK_TIME = [
    _wtr("AS1", "AC1", "2025-03-03", 8.0),
    _wtr("AS1", "AC2", "2025-03-03", 17.0),
    _wtr("AS1", "AC1", "2025-03-04", 24.0),
    _wtr("AS2", "AC1", "2025-03-05", 10.0),
    _wtr("AS1", "AC1", "2025-03-06", 20.0),
    _wtr("AS1", "AC2", "2025-03-06", 5.0, submitted_date="2025-06-01"),
]

CONTROLS = [
    {
        "case_id": "EX_S",
        "person_id": "EX",
        "benefit": "SJP",
        "selected_date": "2024-11-01",
        "closed_date": "2025-01-01",
        "outcome": "error_customer",
        "wrong_amount_sek": 5000.0,
    },
    {"case_id": "EX_F", "person_id": "EX", "benefit": "FP", "selected_date": "2025-06-01"},
]

EMPLOYERS = [{"employer_id": "E1"}]

TABLES = {
    "persons": PERSONS,
    "children": CHILDREN,
    "employers": EMPLOYERS,
    "cases": CASES,
    "payments": PAYMENTS,
    "sgi_decisions": SGI,
    "work_time_reports": WORK_TIME,
    "controls": CONTROLS,
}

EXPECTED: dict[str, dict[str, float]] = {
    "EX_S": {
        "overlap_excess_days": 12,
        "paid_days_in_window": 31,
        "person_confirmed_errors": 1,
        "person_earlier_controls": 1,
        "payments_in_window": 1,
        "amount_in_window_sek": 1000.0,
    },
    "EX_F": {"overlap_excess_days": 12, "paid_days_in_window": 22},
    "HF_S": {"overlap_excess_days": 0},
    "RV_S": {"overlap_excess_days": 0},
    "RV_F": {"overlap_excess_days": 0, "paid_days_in_window": 0, "reversals_in_window": 1},
    "KS_S": {"overlap_excess_days": 1, "overlap_forbidden_days": 1},
    "KS_K": {"overlap_excess_days": 1, "overlap_forbidden_days": 1},
    "AS_A": {"overlap_forbidden_days": 6, "overlap_excess_days": 0},
    "AS_S": {"overlap_forbidden_days": 6, "overlap_excess_days": 0},
    "TS_T": {"tfp_in_sickpay_period_days": 3},
    "TN_T": {"tfp_in_sickpay_period_days": 0},
    "BA_T": {"both_parents_tfp_days": 2},
    "BB_T": {"both_parents_tfp_days": 2},
    "DA_F": {"fp_double_days_excess": 0},
    "DB_F": {"fp_double_days_excess": 0},
    "EA_F": {"fp_double_days_excess": 10},
    "EB_F": {"fp_double_days_excess": 10},
    "QA_F": {"fp_double_days_excess": 10},
    "QB_F": {"fp_double_days_excess": 10},
    "AG_T": {"age_rule_days": 5},
    "SE_1": {"age_rule_days": 16},
    "AE_1": {"age_rule_days": 0},
    "AE_2": {"age_rule_days": 31},
    "IN_S": {"before_insured_days": 9},
    "MX_S": {"sgi_hours_days_mixup": 1, "sgi_per_hour": 300000.0 / 260.0},
    "MY_S": {"sgi_hours_days_mixup": 0},
    "MZ_S": {"sgi_hours_days_mixup": 0},
    "MW_S": {"sgi_hours_days_mixup": 0},
    "AC1": {
        "assistant_days_over_24h": 1,
        "ass_hours_over_granted": 0.0,
        "ass_paid_hours_unreported": 100.0 - 62.0,
        "ass_assistant_on_sjp_days": 1,
        "ass_provider_impossible_share": 0.5,
    },
    # 100 hours paid for March against 17 reported by D-1 (5 more are submitted on D)
    "AC2": {
        "assistant_days_over_24h": 1,
        "ass_hours_over_granted": 0.0,
        "ass_paid_hours_unreported": 83.0,
    },
}


# --- work while paid, networks -------------------------------------------------------------------


def _inc(person, month, pay, employer="E1", reported=None):
    """One income report for `month` (YYYY-MM), reported on the 12th of the next month by default."""
    y, m = (int(x) for x in month.split("-"))
    if reported is None:
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        reported = f"{ny:04d}-{nm:02d}-12"
    return {
        "person_id": person,
        "employer_id": employer,
        "month": f"{y:04d}-{m:02d}-01",
        "gross_pay_sek": pay,
        "reported_date": reported,
    }


def _months(first, last):
    y, m = (int(x) for x in first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


PERSONS += [
    {"person_id": p}
    for p in ["WF", "WG", "TP", "TL", "AK", "AN", "N1", "N2", "N3", "N4", "N5", "H1", "H2"]
]
PERSONS[-2]["household_id"] = "HH1"
PERSONS[-1]["household_id"] = "HH1"
CHILDREN += [
    {"child_id": "TPC", "parent_id": "TP", "child_birth_date": "2020-01-01"},
    {"child_id": "TLC", "parent_id": "TL", "child_birth_date": "2020-01-01"},
    {"child_id": "AKC", "parent_id": "AK", "child_birth_date": "2020-01-01"},
    {"child_id": "ANC", "parent_id": "AN", "child_birth_date": "2020-01-01"},
    {"child_id": "N3C", "parent_id": "N3", "child_birth_date": "2024-01-01"},
]
EMPLOYERS += [{"employer_id": "EN", "registered_date": "2024-06-01"}, {"employer_id": "E2"}]
CASES += [
    # full SJP Jan-Apr with salary paid as usual (flagged) / sick pay and holiday pay only (not)
    _case("WF_S", "WF", "SJP", employment_type="self_employed"),
    _case("WG_S", "WG", "SJP", employment_type="employee", insured_event_date="2025-01-01"),
    # TFP with pay not lowered (flagged) / lowered (not)
    _case("TP_T", "TP", "TFP", child_id="TPC"),
    _case("TL_T", "TL", "TFP", child_id="TLC"),
    # AKS: no work declared but pay reported; TFP days beyond declared absence (and the reverse)
    _case("AK_A", "AK", "AKS"),
    _case("AK_T", "AK", "TFP", child_id="AKC"),
    _case("AN_A", "AN", "AKS"),
    _case("AN_T", "AN", "TFP", child_id="ANC"),
    # a new employer: three new employees, two with fresh SGI, one with a confirmed error
    _case("N1_S", "N1", "SJP", employment_type="employee", insured_event_date="2025-04-01"),
    _case("N2_S", "N2", "SJP", employment_type="self_employed", opened_date="2024-02-01"),
    _case("N3_F", "N3", "FP", child_id="N3C"),
    _case("N4_S", "N4", "SJP", employment_type="self_employed"),
    # a household member with a confirmed error
    _case("H1_S", "H1", "SJP", employment_type="self_employed"),
    _case("H2_S", "H2", "SJP", employment_type="self_employed"),
]
PAYMENTS += [
    _pay("WF_S", "2025-01-01", "2025-04-30"),
    _pay("WG_S", "2025-01-15", "2025-04-30"),
    _pay("TP_T", "2025-02-03", "2025-02-07"),
    _pay("TP_T", "2025-03-10", "2025-03-11"),
    _pay("TL_T", "2025-02-03", "2025-02-07"),
    _pay("AK_A", "2025-02-01", "2025-02-28"),
    _pay("AK_A", "2025-03-01", "2025-03-31"),
    _pay("AK_T", "2025-03-03", "2025-03-06"),
    _pay("AN_A", "2025-03-01", "2025-03-31"),
    _pay("AN_T", "2025-03-03", "2025-03-06"),
    _pay("N1_S", "2025-04-15", "2025-05-20"),
    _pay("N2_S", "2024-02-01", "2024-02-20"),
    _pay("N3_F", "2024-12-01", "2025-01-31", 0.5),
    _pay("N4_S", "2024-03-01", "2024-03-10"),
    _pay("H1_S", "2025-04-01", "2025-04-30"),
    _pay("H2_S", "2024-09-01", "2024-09-30"),
]
SGI += [
    _sgi("G_WF", "WF", "2024-01-10", 360000.0, 2080.0),
    _sgi("G_WG", "WG", "2024-01-10", 360000.0, 2080.0),
    _sgi("G_TP", "TP", "2024-01-10", 360000.0, 2080.0),
    _sgi("G_TL", "TL", "2024-01-10", 360000.0, 2080.0),
    _sgi("G_N1", "N1", "2024-09-15", 300000.0, 2080.0),
    _sgi("G_N2", "N2", "2024-09-15", 300000.0, 2080.0),
]
INCOME = (
    [_inc("WF", m, 30000.0) for m in _months("2024-06", "2025-04")]
    + [_inc("WG", m, 30000.0) for m in _months("2024-06", "2024-12")]
    + [_inc("WG", "2025-01", 15000.0), _inc("WG", "2025-02", 0.0)]
    + [_inc("WG", "2025-03", 5000.0), _inc("WG", "2025-04", 0.0)]
    + [_inc("TP", m, 30000.0) for m in _months("2024-06", "2025-04")]
    + [_inc("TL", m, 30000.0) for m in _months("2024-06", "2025-04") if m != "2025-02"]
    + [_inc("TL", "2025-02", 23000.0)]
    + [_inc("AK", "2025-02", 8000.0), _inc("AN", "2025-03", 3000.0)]
    + [_inc(p, m, 25000.0, "EN") for p in ("N1", "N2", "N3") for m in _months("2024-08", "2025-04")]
    + [_inc("N4", m, 25000.0, "E2") for m in _months("2024-01", "2025-04")]
    # EN paid N5 before N1's SGI decision, but not in the year before D's month
    + [_inc("N5", m, 25000.0, "EN") for m in _months("2023-10", "2023-12")]
)
ACTIVITY = [
    {"person_id": "AK", "case_id": "AK_A", "month": "2025-02-01", "submitted_date": "2025-03-05"},
    {
        "person_id": "AK",
        "case_id": "AK_A",
        "month": "2025-03-01",
        "declared_absence_days": 2,
        "submitted_date": "2025-04-05",
    },
    {
        "person_id": "AN",
        "case_id": "AN_A",
        "month": "2025-03-01",
        "declared_absence_days": 4,
        "declared_work_hours": 5.0,
        "submitted_date": "2025-04-05",
    },
]


def _control(case_id, person, benefit, selected, closed=None, outcome=None):
    return {
        "case_id": case_id,
        "person_id": person,
        "benefit": benefit,
        "selected_date": selected,
        "closed_date": closed,
        "outcome": outcome,
        "wrong_amount_sek": None if outcome is None else 1000.0,
    }


CONTROLS += [
    _control("N2_S", "N2", "SJP", "2024-10-01", "2025-01-10", "error_customer"),
    # closed on D: not known yet (a leak trap)
    _control("N3_F", "N3", "FP", "2025-03-01", "2025-06-01", "error_customer"),
    _control("H2_S", "H2", "SJP", "2024-10-01", "2025-02-01", "error_fk"),
    _control("AC2", "AP2", "ASS", "2025-04-01", "2025-05-01", "suspected_crime"),
]
TABLES.update(income_reports=INCOME, activity_reports=ACTIVITY)

_MORE: dict[str, dict[str, float]] = {
    "WF_S": {"work_full_benefit_pay_months": 4},
    "WG_S": {"work_full_benefit_pay_months": 0},
    # usual pay 30,000 (median of 9 months without benefit); February: 5 TFP days of 20 weekdays
    "TP_T": {"work_tfp_pay_not_lowered_days": 5.0, "work_tfp_pay_not_lowered_sek": 7500.0},
    "TL_T": {"work_tfp_pay_not_lowered_days": 0.0, "work_tfp_pay_not_lowered_sek": 0.0},
    "AK_A": {
        "aks_work_zero_pay_months": 1,
        "aks_absence_gap_days": 2.0,
        "overlap_excess_days": 4,
    },
    "AK_T": {"overlap_excess_days": 4, "aks_absence_gap_days": 0.0},
    "AN_A": {
        "aks_work_zero_pay_months": 0,
        "aks_absence_gap_days": 0.0,
        "overlap_excess_days": 4,
    },
    "AN_T": {"overlap_excess_days": 4},
    "N1_S": {
        # SGI decided 2024-09-15 on pay from EN (registered 2024-06-01), which paid N1, N2 and N3
        # in the 12 months before D's month; N5, paid in late 2023 only, is not counted
        "sgi_employer_age_days": 106.0,
        "sgi_employer_size": 3.0,
        "net_employer_benefit_share": 2 / 3,
        "net_employer_new_sgi_share": 2 / 3,
        "net_new_employer_sgi_decisions": 2,
        "net_employer_confirmed_errors": 1,
    },
    "N3_F": {"net_employer_confirmed_errors": 1, "person_confirmed_errors": 0},
    "N4_S": {
        "net_employer_benefit_share": 0.0,
        "net_new_employer_sgi_decisions": 0,
        "net_employer_confirmed_errors": 0,
    },
    "H1_S": {"net_household_confirmed_errors": 1},
    "H2_S": {"net_household_confirmed_errors": 0, "person_confirmed_errors": 1},
    "AC1": {"net_provider_confirmed_errors": 1},
    "AC2": {"net_provider_confirmed_errors": 0},
}
for _case_id, _exp in _MORE.items():
    EXPECTED.setdefault(_case_id, {}).update(_exp)


# --- pay beside SE and AE (features/se_ae_work.py) ------------------------------------------------
# Months of the work window: 2024-06..2025-05; May's pay is reported on 2025-06-12, after D.


def _monthly(case_id, first, last, extent=1.0, **kw):
    """One payment per calendar month of `first`..`last` (YYYY-MM), paid on the month's last day."""
    out = []
    for m in _months(first, last):
        y, mo = (int(x) for x in m.split("-"))
        end = (date(y + (mo == 12), mo % 12 + 1, 1) - date.resolution).isoformat()
        out.append(_pay(case_id, f"{m}-01", end, extent, amount_sek=15000.0 * extent, **kw))
    return out


PERSONS += [
    {"person_id": "SW"},  # full SE and a side job: flagged
    {"person_id": "SA", "birth_date": "2000-03-01"},  # full AE and a small allowed income
    {"person_id": "SP"},  # SE 50 % and half the former pay
    {"person_id": "SH"},  # full SE and the former employer's holiday pay
    {"person_id": "SQ"},  # SE 25 % since long, no pay known before it
    {"person_id": "SR"},  # a reversed SE month beside pay
    {"person_id": "SX"},  # SE 50 % and more than half the former pay: flagged
]
EMPLOYERS += [{"employer_id": "ES1"}, {"employer_id": "ES2"}]
CASES += [
    _case("SW_E", "SW", "SE", insured_event_date="2022-05-01", opened_date="2022-06-01"),
    _case("SA_E", "SA", "AE", insured_event_date="2023-01-01", opened_date="2023-01-01"),
    _case("SP_E", "SP", "SE", insured_event_date="2024-09-15", opened_date="2024-10-01"),
    _case("SH_E", "SH", "SE", insured_event_date="2024-10-01", opened_date="2024-11-01"),
    _case("SQ_E", "SQ", "SE", insured_event_date="2015-01-01", opened_date="2015-02-01"),
    _case("SR_E", "SR", "SE", insured_event_date="2022-05-01", opened_date="2022-06-01"),
    _case("SX_E", "SX", "SE", insured_event_date="2023-06-10", opened_date="2023-07-01"),
]
PAYMENTS += (
    _monthly("SW_E", "2024-11", "2025-05")
    + _monthly("SA_E", "2024-11", "2025-05")
    + _monthly("SP_E", "2024-12", "2025-05", 0.5)
    + _monthly("SH_E", "2025-01", "2025-05")
    + _monthly("SQ_E", "2024-11", "2025-05", 0.25)
    + _monthly("SR_E", "2025-01", "2025-05")
    + _monthly("SX_E", "2024-11", "2025-05", 0.5)
    # February reversed in March; its payment again comes on D: not known yet (a late row)
    + [_pay("SR_E", "2025-02-01", "2025-02-28", amount_sek=-15000.0, paid_date="2025-03-20")]
    + [_pay("SR_E", "2025-02-01", "2025-02-28", amount_sek=15000.0, paid_date="2025-06-01")]
)
INCOME += (
    [_inc("SW", m, 12000.0, "ES1") for m in ("2025-02", "2025-03")]
    # April's pay reported on D: not known yet (a late row)
    + [_inc("SW", "2025-04", 15000.0, "ES1", reported="2025-06-01")]
    + [_inc("SA", m, 800.0, "ES1") for m in _months("2024-11", "2025-04")]
    + [_inc("SP", m, 20000.0, "ES2") for m in _months("2023-09", "2024-08")]
    + [_inc("SP", m, 10500.0, "ES2") for m in _months("2024-12", "2025-04")]
    + [_inc("SH", m, 25000.0, "ES2") for m in _months("2023-10", "2024-09")]
    + [_inc("SH", "2025-01", 18000.0, "ES2")]
    + [_inc("SQ", m, 15000.0, "ES1") for m in _months("2024-11", "2025-04")]
    + [_inc("SR", "2025-02", 10000.0, "ES1")]
    + [_inc("SX", m, 20000.0, "ES2") for m in _months("2022-06", "2023-05")]
    + [_inc("SX", "2025-02", 9000.0, "ES2"), _inc("SX", "2025-03", 16000.0, "ES2")]
)
TABLES.update(income_reports=INCOME)

for _case_id, _value in {
    "SW_E": 2 * (12000.0 - 1000.0),
    "SA_E": 0.0,
    "SP_E": 0.0,  # 10,500 a month is within 1,000 + (1 - 0.5) x 20,000
    "SH_E": 0.0,  # January's 18,000 is the former employer's final pay
    "SQ_E": 0.0,  # partial benefit, no pay known before it: not judged
    "SR_E": 0.0,  # February's days were reversed: not a month of benefit
    "SX_E": 16000.0 - (1000.0 + 0.5 * 20000.0),  # March; February's 9,000 is within the room
}.items():
    EXPECTED.setdefault(_case_id, {})["se_ae_work_pay_sek"] = _value


# --- the agency's own daily amounts (features/sgi_amounts.py) -------------------------------------
# 2025: prisbasbelopp 58,800; SGI caps SJP 8 (470,400), FP 10 (588,000), TFP 7.5 (441,000); rate
# 77.6 %; a full day is round(0.776 x min(SGI, cap) / 365); FP at least 250 SEK.

PERSONS += [{"person_id": p} for p in ("FA", "FC", "FH", "FB", "FR", "FL", "FZ")]
CHILDREN += [
    {"child_id": "FHC", "parent_id": "FH", "child_birth_date": "2024-09-01"},
    {"child_id": "FBC", "parent_id": "FB", "child_birth_date": "2024-09-01"},
    {"child_id": "FRC", "parent_id": "FR", "child_birth_date": "2020-09-01"},
]
CASES += [
    # a wrong daily amount (flagged); the SGI cap not applied (flagged)
    _case("FA_S", "FA", "SJP", employment_type="self_employed", insured_event_date="2025-03-01"),
    _case("FC_S", "FC", "SJP", employment_type="self_employed", insured_event_date="2025-03-01"),
    # false alarms: half FP; FP at the basic level; a TFP payment reversed and corrected; the
    # SGI decided after the payment (an older, lower one no longer in force; a lower one valid
    # only from a later month; a lower one decided on D, not known yet: a late row)
    _case("FH_F", "FH", "FP", child_id="FHC"),
    _case("FB_F", "FB", "FP", child_id="FBC"),
    _case("FR_T", "FR", "TFP", child_id="FRC"),
    _case("FL_S", "FL", "SJP", employment_type="self_employed", insured_event_date="2025-03-01"),
    # a too-high payment paid on D: not known yet (a late row)
    _case("FZ_S", "FZ", "SJP", employment_type="self_employed", insured_event_date="2025-03-01"),
]
PAYMENTS += [
    _pay("FA_S", "2025-03-01", "2025-03-31", amount_sek=24800.0, paid_date="2025-04-05"),
    _pay("FA_S", "2025-04-01", "2025-04-30", amount_sek=30 * 638.0, paid_date="2025-05-05"),
    # its reversal comes on D: not known yet (a late row)
    _pay("FA_S", "2025-03-01", "2025-03-31", amount_sek=-24800.0, paid_date="2025-06-01"),
    _pay("FC_S", "2025-03-01", "2025-03-31", amount_sek=31 * 1276.0, paid_date="2025-04-05"),
    _pay("FH_F", "2025-03-01", "2025-03-31", 0.5, amount_sek=31 * 0.5 * 850.0),
    _pay("FB_F", "2025-04-01", "2025-04-30", amount_sek=30 * 250.0),
    _pay("FR_T", "2025-03-03", "2025-03-07", amount_sek=5000.0, paid_date="2025-03-10"),
    _pay("FR_T", "2025-03-03", "2025-03-07", amount_sek=-5000.0, paid_date="2025-04-01"),
    _pay("FR_T", "2025-03-03", "2025-03-07", amount_sek=5 * 765.0, paid_date="2025-04-01"),
    _pay("FL_S", "2025-03-01", "2025-03-31", amount_sek=31 * 850.0, paid_date="2025-04-05"),
    _pay("FZ_S", "2025-03-01", "2025-03-31", amount_sek=31 * 638.0, paid_date="2025-04-05"),
    _pay("FZ_S", "2025-04-01", "2025-04-30", amount_sek=25000.0, paid_date="2025-06-01"),
]
SGI += [
    _sgi("G_FA", "FA", "2025-01-10", 300000.0, 2080.0),
    _sgi("G_FC", "FC", "2025-01-10", 600000.0, 2080.0),
    _sgi("G_FH", "FH", "2025-01-10", 400000.0, 2080.0),
    _sgi("G_FB", "FB", "2025-01-10", 80000.0, 2080.0),
    _sgi("G_FR", "FR", "2025-01-10", 360000.0, 2080.0),
    _sgi("G_FL1", "FL", "2024-06-01", 250000.0, 2080.0),
    # decided after the March payment, valid from the insured event: the one in force
    {**_sgi("G_FL2", "FL", "2025-04-20", 400000.0, 2080.0), "valid_from": "2025-03-01"},
    {**_sgi("G_FL3", "FL", "2025-04-25", 200000.0, 2080.0), "valid_from": "2025-04-01"},
    {**_sgi("G_FL4", "FL", "2025-06-01", 100000.0, 2080.0), "valid_from": "2025-01-01"},
    _sgi("G_FZ", "FZ", "2025-01-10", 300000.0, 2080.0),
]

for _case_id, _value in {
    "FA_S": 24800.0 - 31 * 638.0,
    "FC_S": 31 * (1276.0 - 1000.0),
    "FH_F": 0.0,
    "FB_F": 0.0,
    "FR_T": 0.0,
    "FL_S": 0.0,
    "FZ_S": 0.0,
}.items():
    EXPECTED.setdefault(_case_id, {})["paid_above_rules_sek"] = _value
# --- detectors of issue 13: repeated KAR claims, assistance settlement, TFP while working ---------
D_LATE = AS_OF.isoformat()  # known only on D: must not be seen
FIXED += ("kar_claims_over_cap", "ass_paid_hours_unreported", "work_tfp_pay_not_lowered_days")

# KR: 12 claims in the 12 months before D (the cap is 10), one more just before the window, one
# reversed, one paid on D. KL: 10 claims, as many as the cap allows (many short sick spells).
KR_DAYS = ["2024-06-03", "2024-07-01", "2024-08-05", "2024-09-02", "2024-10-07", "2024-11-04",
           "2024-12-02", "2025-01-13", "2025-02-03", "2025-03-03", "2025-04-07", "2025-05-05"]  # fmt: skip
KL_DAYS = KR_DAYS[:10]
PERSONS += [{"person_id": p} for p in ("KR", "KL")]
for _i, _d in enumerate(KR_DAYS):
    CASES.append(_case(f"KR_{_i:02d}", "KR", "KAR", opened_date=_d))
    PAYMENTS.append(_pay(f"KR_{_i:02d}", _d, _d, amount_sek=804.0))
for _i, _d in enumerate(KL_DAYS):
    CASES.append(_case(f"KL_{_i:02d}", "KL", "KAR", opened_date=_d))
    PAYMENTS.append(_pay(f"KL_{_i:02d}", _d, _d, amount_sek=804.0))
CASES += [
    _case("KR_OLD", "KR", "KAR", opened_date="2024-05-31"),
    _case("KR_REV", "KR", "KAR", opened_date="2025-05-12"),
    _case("KR_LATE", "KR", "KAR", opened_date="2025-05-26"),
]
PAYMENTS += [
    _pay("KR_OLD", "2024-05-31", "2024-05-31", amount_sek=804.0),
    _pay("KR_REV", "2025-05-12", "2025-05-12", amount_sek=804.0),
    _pay("KR_REV", "2025-05-12", "2025-05-12", amount_sek=-804.0, paid_date="2025-05-20"),
    _pay("KR_LATE", "2025-05-26", "2025-05-26", amount_sek=804.0, paid_date=D_LATE),
]
for _c in CASES:
    if _c["person_id"] == "KR":
        EXPECTED[_c["case_id"]] = {"kar_claims_12m": 12, "kar_claims_over_cap": 2}
    if _c["person_id"] == "KL":
        EXPECTED[_c["case_id"]] = {"kar_claims_12m": 10, "kar_claims_over_cap": 0}
EXPECTED["KS_K"].update(kar_claims_12m=1, kar_claims_over_cap=0)

# Assistance per settlement period (January-June 2025 here; the grant counts its 181 days).
# SU: 100 hours paid for January and February, 80 reported; April's 40 hours are paid on D.
# SG: 60 hours paid and reported in January against a grant of 2 hours a week (51.7 in the
# period); 100 more hours paid on D. SW: a week of 30 hours on a grant of 10 a week (legitimate:
# the grant is settled over the period). SR: 50 hours paid, reversed, 40 paid again (40 reported).
PERSONS += [{"person_id": p} for p in ("SU", "SG", "AW", "AR", "SUA")]
CASES += [
    _case("SU_C", "SU", "ASS", granted_hours_per_week=20.0),
    _case("SG_C", "SG", "ASS", granted_hours_per_week=2.0),
    _case("AW_C", "AW", "ASS", granted_hours_per_week=10.0),
    _case("AR_C", "AR", "ASS", granted_hours_per_week=40.0),
]


def _ass_pay(case_id, month, hours, sign=1.0, paid=None):
    y, m = (int(x) for x in month.split("-"))
    last = {1: 31, 2: 28, 3: 31, 4: 30}[m]
    return _pay(
        case_id, f"{month}-01", f"{month}-{last}", hours=hours, amount_sek=sign * 330.0 * hours,
        paid_date=paid or f"{y:04d}-{m + 1:02d}-15",
    )  # fmt: skip


PAYMENTS += [
    _ass_pay("SU_C", "2025-01", 70.0),
    _ass_pay("SU_C", "2025-02", 30.0),
    _ass_pay("SU_C", "2025-04", 40.0, paid=D_LATE),
    _ass_pay("SG_C", "2025-01", 60.0),
    _ass_pay("SG_C", "2025-03", 100.0, paid=D_LATE),
    _ass_pay("AW_C", "2025-03", 30.0),
    _ass_pay("AR_C", "2025-02", 50.0, paid="2025-03-10"),
    _ass_pay("AR_C", "2025-02", 50.0, sign=-1.0, paid="2025-03-20"),
    _ass_pay("AR_C", "2025-02", 40.0, paid="2025-03-20"),
]
EMPLOYERS += [{"employer_id": "EP"}]  # their provider, not AC1's
WORK_TIME += [
    _wtr("SUA", case, f"2025-{month}-{d:02d}", 10.0, provider_id="EP")
    for case, month, days in [
        ("SU_C", "01", (7, 8, 9, 10, 13)),
        ("SU_C", "02", (4, 5, 6)),
        ("SG_C", "01", (7, 8, 9, 10, 13, 14)),
        ("AW_C", "03", (3, 4, 5)),
        ("AR_C", "02", (17, 18, 19, 20)),
    ]
    for d in days
]
EXPECTED.update(
    SU_C={"ass_paid_hours_unreported": 20.0, "ass_hours_over_granted": 0.0},
    SG_C={"ass_paid_hours_unreported": 0.0, "ass_hours_over_granted": 60.0 - 2.0 * 181 / 7},
    AW_C={"ass_paid_hours_unreported": 0.0, "ass_hours_over_granted": 0.0},
    AR_C={"ass_paid_hours_unreported": 0.0, "ass_hours_over_granted": 0.0},
)

# TFP while working, beside TP (flagged) and TL (pay lowered): TQ's February pay is a spike
# (holiday or back pay, above 110 % of the usual pay); TC's February report is corrected down
# before D; TD's correction arrives on D and is not seen yet; TA's employer deducts the TFP days
# from March's pay (a month late). TP's April TFP is paid on D.
PERSONS += [{"person_id": p} for p in ("TQ", "TC", "TD", "TA")]
CHILDREN += [
    {"child_id": f"{p}C", "parent_id": p, "child_birth_date": "2020-01-01"}
    for p in ("TQ", "TC", "TD", "TA")
]
CASES += [_case(f"{p}_T", p, "TFP", child_id=f"{p}C") for p in ("TQ", "TC", "TD", "TA")]
PAYMENTS += [_pay(f"{p}_T", "2025-02-03", "2025-02-07") for p in ("TQ", "TC", "TD", "TA")]
PAYMENTS += [_pay("TP_T", "2025-04-07", "2025-04-11", paid_date=D_LATE)]
# TD's second child: one TFP day in December, nothing in February (the month is TD_T's alone)
CHILDREN.append({"child_id": "TD2C", "parent_id": "TD", "child_birth_date": "2022-01-01"})
CASES.append(_case("TD_T2", "TD", "TFP", child_id="TD2C"))
PAYMENTS.append(_pay("TD_T2", "2024-12-02", "2024-12-02"))
INCOME += [
    _inc(p, m, 30000.0)
    for p in ("TQ", "TC", "TD", "TA")
    for m in _months("2024-06", "2025-04")
    if m != "2025-02" and (p, m) != ("TA", "2025-03")
]
INCOME += [
    _inc("TQ", "2025-02", 40000.0),
    _inc("TC", "2025-02", 30000.0),
    _inc("TC", "2025-02", 25000.0, reported="2025-04-20"),
    _inc("TD", "2025-02", 30000.0),
    _inc("TD", "2025-02", 25000.0, reported=D_LATE),
    _inc("TA", "2025-02", 30000.0),
    _inc("TA", "2025-03", 25500.0),
]
EXPECTED.update(
    TQ_T={"work_tfp_pay_not_lowered_days": 0.0},
    TC_T={"work_tfp_pay_not_lowered_days": 0.0},
    TD_T={"work_tfp_pay_not_lowered_days": 5.0, "work_tfp_pay_not_lowered_sek": 7500.0},
    TA_T={"work_tfp_pay_not_lowered_days": 0.0},
    TD_T2={"work_tfp_pay_not_lowered_days": 0.0, "work_tfp_pay_not_lowered_sek": 0.0},
)
