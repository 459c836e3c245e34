"""People, households, families, employers and jobs of the synthetic world."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthetic.scenario import Scenario
from synthetic.streams import stream
from synthetic.timeaxis import NA_DAY, years_between

EXT_CHILD_BASE = 90_000_000  # child keys at or above this are children outside `persons`
REGIONS = ("SE", "NORDIC", "EU", "OTHER", "null")
PARTNER_ROUNDS = 3

# Real kommunkoder, roughly by size (weights fall with rank).
MUNICIPALITIES = [
    "0180",
    "1480",
    "1280",
    "0380",
    "0580",
    "1880",
    "1980",
    "0680",
    "1281",
    "2480",
    "1490",
    "0581",
    "2180",
    "1283",
    "0126",
    "2281",
    "0780",
    "1780",
    "0184",
    "0127",
    "2080",
    "1380",
    "0880",
    "2580",
    "0181",
    "1080",
    "0162",
    "0183",
    "1290",
    "2380",
    "1482",
    "0114",
    "0136",
    "0123",
    "0138",
    "1484",
    "2584",
    "0482",
    "1060",
    "2521",
]
PROVIDER_INDUSTRY = "88"  # assistance providers: social work without accommodation
SHELL_INDUSTRIES = ("70", "82", "43", "46")


@dataclass
class Population:
    """Internal frames of the population: persons, children, employers, jobs."""

    # pid, birth, sex, region, muni, household, insured_from, status, sgi, hours, low_hours,
    # industry and eid (of the main job; None and -1 without one), sick_factor (the industry's
    # sick leave)
    persons: pd.DataFrame
    children: pd.DataFrame  # child, parent, child_birth
    employers: pd.DataFrame  # eid, registered, industry, muni, kind
    jobs: pd.DataFrame  # pid, eid, pay, start, end, kind


def _zipf_weights(n: int, a: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** a
    return w / w.sum()


def _ages(rng: np.random.Generator, n: int, years_before: float) -> np.ndarray:
    """Age in years at the world's start; negative ages are births inside the world."""
    grid = np.arange(-int(np.ceil(years_before)), 91)
    w = np.where(grid < 65, 1.0, np.clip(1.0 - (grid - 65) / 28.0, 0.08, 1.0))
    w[grid < 0] = 0.95 * years_before / np.ceil(years_before)
    k = rng.choice(len(grid), size=n, p=w / w.sum())
    age = grid[k] + rng.random(n)
    return np.maximum(age, -years_before + 0.01)


def _segregated_jobs(
    rng: np.random.Generator, emp_industry: np.ndarray, size_w: np.ndarray, female: np.ndarray, pc
) -> np.ndarray:
    """Each employee's employer (an index into `emp_industry`), segregated by sex.

    The industry comes first, from its employment weight times the share of the employee's sex
    in it (industries without an employer left out); then an employer within the industry, by
    size weight. Vectorised: each industry's employers span [k, k + 1) of one cumulative axis.
    """
    codes = np.array(list(pc.industry_employment_share), dtype=object)
    present = np.isin(codes, emp_industry)
    if not present.any():  # a tiny world without an employer of a listed industry
        return rng.choice(len(emp_industry), len(female), p=size_w / size_w.sum())
    codes = codes[present]
    weight = np.array([pc.industry_employment_share[c] for c in codes])
    fshare = np.array([pc.industry_female_share[c] for c in codes])
    k = np.full(len(female), -1, dtype="int64")
    for is_f, share in ((True, fshare), (False, 1.0 - fshare)):
        who = np.flatnonzero(female == is_f)
        p = weight * share
        k[who] = rng.choice(len(codes), len(who), p=p / p.sum())
    ind_of = pd.Series(np.arange(len(codes)), index=codes)
    emp_k = ind_of.reindex(emp_industry).to_numpy(dtype="float64", na_value=np.nan)
    listed = np.flatnonzero(~np.isnan(emp_k))
    order = listed[np.lexsort((listed, emp_k[listed]))]
    ek = emp_k[order].astype("int64")
    wsum = np.bincount(ek, weights=size_w[order], minlength=len(codes))
    cum = pd.Series(size_w[order]).groupby(ek).cumsum().to_numpy() / wsum[ek] + ek
    cum[np.r_[ek[1:] != ek[:-1], True]] = ek[np.r_[ek[1:] != ek[:-1], True]] + 1.0
    pos = np.searchsorted(cum, k + rng.random(len(k)) * (1 - 1e-12), side="right")
    return order[np.minimum(pos, len(order) - 1)]


def _sick_factor(industry: np.ndarray, sc: Scenario) -> np.ndarray:
    """Relative sickness of each person from the industry of the main job (1.0 without one)."""
    f = pd.Series(industry).map(sc.benefits.sick_industry_factor)
    return f.fillna(1.0).to_numpy(dtype="float64")


def build_population(n: int, start: int, end: int, sc: Scenario, seed: int) -> Population:
    """Draw persons, families (two- and one-parent), households, employers and jobs."""
    rng = stream(seed, "population")
    pc = sc.population
    years = (end - start + 1) / 365.25
    pid = np.arange(1, n + 1, dtype="int64")
    age0 = _ages(rng, n, years)
    birth = (start - age0 * 365.25).astype("int64")
    sex = np.where(rng.random(n) < pc.share_female, "F", "M")
    rp = np.array([pc.birth_region.get(r, 0.0) for r in REGIONS])
    region = np.array(REGIONS, dtype=object)[rng.choice(len(REGIONS), n, p=rp / rp.sum())]
    region[region == "null"] = None
    # coverage starts at immigration for most born abroad; some arrive during the world
    foreign = (region != "SE") & (region != None)  # noqa: E711
    has_from = foreign & (rng.random(n) < pc.immigrant_insured_from_share)
    age_end = (end - birth) / 365.25
    arrive_age = (
        np.where(rng.random(n) < 0.75, rng.uniform(0, 1, n) ** 1.6, rng.random(n)) * age_end
    )
    insured_from = np.where(has_from, birth + (arrive_age * 365.25).astype("int64"), NA_DAY)
    insured_from = np.where(has_from, np.minimum(insured_from, end - 30), NA_DAY)

    # --- families: each child finds a primary parent about 24-38 years older (rank search)
    is_child = age0 < 18
    child_idx = np.flatnonzero(is_child)
    adult = (age0 >= 19) & (age0 < 62)
    cand = np.flatnonzero(adult)
    n_primary = max(1, int(len(child_idx) * pc.primary_parents_per_child))
    primary = rng.choice(cand, size=min(n_primary, len(cand)), replace=False)
    # birth days tie in a large world (a million persons: about 20 candidates a day), and a rank
    # search would give every child (or co-parent search) of a day's targets the first candidates
    # of that day; a random fraction of a day on both sides (own stream: the other draws stay as
    # they were) spreads them, so children per parent and two-parent families do not change with
    # the world's size
    ties = stream(seed, "population:family_ties")
    primary_key = birth[primary] + ties.random(len(primary))
    order = np.argsort(primary_key, kind="stable")
    primary, primary_key = primary[order], primary_key[order]
    target = birth[child_idx] - (rng.uniform(24, 38, len(child_idx)) * 365.25).astype("int64")
    pos = np.searchsorted(primary_key, target + ties.random(len(child_idx)))
    pos = np.clip(pos + rng.integers(-2, 3, len(pos)), 0, len(primary) - 1)
    parent1 = primary[pos]
    gap = (birth[child_idx] - birth[parent1]) / 365.25
    keep = (gap >= 17) & (gap <= 50)
    child_idx, parent1 = child_idx[keep], parent1[keep]
    fam_heads = np.unique(parent1)
    # a co-parent of the opposite sex and similar age for two-parent families
    two = fam_heads[rng.random(len(fam_heads)) < pc.two_parent_share]
    used = np.zeros(n, dtype=bool)
    used[fam_heads] = True
    used[child_idx] = True
    partner = np.full(n, -1, dtype="int64")
    # a few rounds: heads who lost a collision for the same partner try again among the rest
    for s in ("F", "M") * PARTNER_ROUNDS:
        need = two[(sex[two] == s) & (partner[two] < 0)]
        pool = np.flatnonzero(adult & ~used & (sex != s))
        if len(need) == 0 or len(pool) == 0:
            continue
        pool_key = birth[pool] + ties.random(len(pool))  # birth-day ties, as for the parents
        order = np.argsort(pool_key, kind="stable")
        pool, pool_key = pool[order], pool_key[order]
        tgt = birth[need] + (rng.normal(0, 3, len(need)) * 365.25).astype("int64")
        tgt = tgt + ties.random(len(need))
        pp = np.clip(np.searchsorted(pool_key, tgt), 0, len(pool) - 1)
        chosen = pool[pp]
        _, first = np.unique(chosen, return_index=True)
        ok = np.zeros(len(need), dtype=bool)
        ok[first] = True
        partner[need[ok]] = chosen[ok]
        used[chosen[ok]] = True
    parent2 = partner[parent1]

    # children rows: each parent of each child in persons, plus some children outside persons
    c_child = np.concatenate([pid[child_idx], pid[child_idx[parent2 >= 0]]])
    c_parent = np.concatenate([pid[parent1], pid[parent2[parent2 >= 0]]])
    c_birth = np.concatenate([birth[child_idx], birth[child_idx[parent2 >= 0]]])
    ext_heads = fam_heads[rng.random(len(fam_heads)) < pc.external_child_share]
    ext_birth = birth[ext_heads] + (rng.uniform(20, 42, len(ext_heads)) * 365.25).astype("int64")
    ext_birth = np.minimum(ext_birth, end - 1)
    ext_key = EXT_CHILD_BASE + np.arange(1, len(ext_heads) + 1)
    ext_p2 = partner[ext_heads]
    children = pd.DataFrame(
        {
            "child": np.concatenate([c_child, ext_key, ext_key[ext_p2 >= 0]]),
            "parent": np.concatenate([c_parent, pid[ext_heads], pid[ext_p2[ext_p2 >= 0]]]),
            "child_birth": np.concatenate([c_birth, ext_birth, ext_birth[ext_p2 >= 0]]),
        }
    )
    children = children.sort_values(["child", "parent"], kind="stable").reset_index(drop=True)

    # --- households: a family shares one; some couples without children; the rest live alone
    household = np.full(n, -1, dtype="int64")
    household[fam_heads] = pid[fam_heads]
    has_p = partner[fam_heads] >= 0
    household[partner[fam_heads[has_p]]] = pid[fam_heads[has_p]]
    household[child_idx] = pid[parent1]
    rest = np.flatnonzero((household < 0) & (age0 >= 18))
    rest = rest[rng.permutation(len(rest))]
    n_pairs = int(len(rest) * 0.25)
    household[rest[:n_pairs]] = pid[rest[:n_pairs]]
    household[rest[n_pairs : 2 * n_pairs]] = pid[rest[:n_pairs]]
    alone = household < 0
    household[alone] = pid[alone]
    household[rng.random(n) < 0.015] = -1
    muni_w = _zipf_weights(len(MUNICIPALITIES), 0.9)
    muni_of = np.array(MUNICIPALITIES)[rng.choice(len(MUNICIPALITIES), n, p=muni_w)]
    hh_index = np.where(household > 0, household - 1, np.arange(n))
    muni = muni_of[hh_index]

    # --- employers: a long tail of small ones, a few assistance providers, a few shells
    n_emp = max(20, int(n / pc.persons_per_employer))
    n_shell = max(2, round(n * pc.shell_companies_per_100k_persons / 1e5))
    n_prov = max(2, round(n * pc.assistance_providers_per_100k_persons / 1e5))
    kind = np.array(["normal"] * n_emp + ["provider"] * n_prov + ["shell"] * n_shell, dtype=object)
    m = len(kind)
    eid = np.arange(1, m + 1, dtype="int64")
    registered = start - (rng.exponential(12, m) * 365.25).astype("int64")
    shell = kind == "shell"
    registered[shell] = rng.integers(start - 400, end - 400, shell.sum())
    codes = np.array(list(pc.industry_employment_share), dtype=object)
    weight = np.array(list(pc.industry_employment_share.values()))
    industry = codes[rng.choice(len(codes), m, p=weight / weight.sum())]
    industry[kind == "provider"] = PROVIDER_INDUSTRY
    industry[shell] = rng.choice(np.array(SHELL_INDUSTRIES, dtype=object), shell.sum())
    employers = pd.DataFrame(
        {
            "eid": eid,
            "registered": registered,
            "industry": industry,
            "muni": np.array(MUNICIPALITIES)[rng.choice(len(MUNICIPALITIES), m, p=muni_w)],
            "kind": kind,
        }
    )

    # --- status and jobs of persons of working age
    age_mid = years_between(birth, np.full(n, (start + end) // 2))
    work_age = (age_mid >= 18) & (age_mid <= 66)
    af = np.where(age_mid < 25, 0.65, np.where(age_mid > 61, 0.75, 1.0))
    u = rng.random(n)
    p_emp = pc.employee_share * af
    p_self = pc.self_employed_share * (age_mid >= 25)
    status = np.full(n, None, dtype=object)
    status[work_age & (u < p_emp)] = "employee"
    status[work_age & (u >= p_emp) & (u < p_emp + p_self)] = "self_employed"
    status[work_age & (u >= p_emp + p_self) & (u < p_emp + p_self + pc.unemployed_share)] = (
        "unemployed"
    )
    emp = np.flatnonzero(status == "employee")
    normal = np.flatnonzero(kind == "normal")
    w = _zipf_weights(len(normal), pc.employer_size_zipf / 1.6)
    job = normal[_segregated_jobs(rng, industry[normal], w, sex[emp] == "F", pc)]
    job_eid = eid[job]
    job_industry = np.full(n, None, dtype=object)
    job_industry[emp] = industry[job]
    main_eid = np.full(n, -1, dtype="int64")
    main_eid[emp] = job_eid
    hours_share = np.where(rng.random(n) < pc.part_time_share, rng.uniform(0.5, 0.9, n), 1.0)
    base = (
        pc.median_monthly_pay_sek
        * np.exp(rng.normal(0, 0.33, n))
        * (0.75 + 0.25 * np.clip(age_mid - 18, 0, 25) / 25)
    )
    pay = np.round(base * hours_share, -1)
    jstart = np.where(
        rng.random(len(emp)) < 0.85,
        start - rng.integers(30, 3650, len(emp)),
        rng.integers(start, end - 60, len(emp)),
    )
    jend = np.where(rng.random(len(emp)) < 0.06, rng.integers(start + 60, end, len(emp)), NA_DAY)
    jend = np.where((jend != NA_DAY) & (jend <= jstart + 60), NA_DAY, jend)
    jobs = pd.DataFrame(
        {
            "pid": pid[emp],
            "eid": job_eid,
            "pay": pay[emp],
            "start": jstart,
            "end": jend,
            "kind": "main",
        }
    )
    # yearly SGI and stated working time: employees from pay, self-employed from tax, the
    # unemployed keep part of an earlier SGI
    sgi = np.zeros(n)
    sgi[emp] = 12 * pay[emp]
    selfe = status == "self_employed"
    sgi[selfe] = np.round(280_000 * np.exp(rng.normal(0, 0.45, selfe.sum())), -2)
    unemp = status == "unemployed"
    sgi[unemp] = np.where(rng.random(unemp.sum()) < 0.55, 12 * pay[unemp] * 0.85, 0.0)
    hours = np.round(2080 * hours_share)
    hours[selfe] = np.round(2080 * rng.uniform(0.6, 1.1, selfe.sum()))
    low = (status == "employee") & (rng.random(n) < pc.legit_low_hours_share) & (sgi >= 110_000)
    hours[low] = rng.integers(160, 366, low.sum())
    persons = pd.DataFrame(
        {
            "pid": pid,
            "birth": birth,
            "sex": sex,
            "region": region,
            "muni": muni,
            "household": household,
            "insured_from": insured_from,
            "status": status,
            "sgi": np.round(sgi, -2),
            "hours": hours,
            "low_hours": low,
            "industry": job_industry,
            "eid": main_eid,
            "sick_factor": _sick_factor(job_industry, sc),
        }
    )
    return Population(persons, children, employers, jobs)
