"""Error mechanism of an assistance provider network: fictitious assistants, care never given.

A ring of two to four clients with large grants is spread over two or three providers. From the
ring's start day the clients' real assistants are gone (no care is given) and straw assistants,
one for every two clients and each also working for a client outside the ring, report the ring
clients' granted hours at the ring's providers: every hour billed is wrong, and each straw
assistant reports more than 24 hours a day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.hosts import choose, eligible, weak
from synthetic.mechanisms_assistance import link_assistants
from synthetic.state import WorldState
from synthetic.timeaxis import expand_days, group_offsets

RING_SIZES = (2, 5)  # clients per ring: 2-4 (a network, never one: n = 1 plants a ring of 2)
PROVIDERS_PER_RING = 3  # at most; each client keeps one of them
# rings bill large grants (hours a week): two clients' grants exceed a day on one straw assistant
MIN_GRANT = 100.0


def _ring_sizes(n: int, rng: np.random.Generator) -> np.ndarray:
    """Clients per ring (2-4) for n clients in all, or n + 1 where a ring of one would be left."""
    k = max(n, 2)
    sizes = rng.integers(*RING_SIZES, max(1, k // 2))
    before = np.cumsum(sizes) - sizes
    sizes = sizes[before < k]
    sizes[-1] = max(2, min(sizes[-1], k - before[len(sizes) - 1]))
    return sizes


def _straw_assistants(w: WorldState, exclude: np.ndarray, n: int, rng: np.random.Generator):
    """n distinct assistants who work long days for a client outside the ring."""
    days = w.ass_days
    long_days = days[(days["hours"] >= 6).to_numpy() & ~days["case"].isin(exclude).to_numpy()]
    clients = w.cases.loc[w.cases["benefit"] == "ASS", "pid"].to_numpy()
    pool = np.unique(long_days["aid"].to_numpy())
    pool = pool[~np.isin(pool, clients)]
    return pool[rng.permutation(len(pool))[:n]]


def ass_provider_ring(w: WorldState, benefit: str, n: int, rng: np.random.Generator) -> int:
    """Clients billed by a provider network through straw assistants shared across providers."""
    c = w.cases
    mask = (c["pe"] - c["ps"] >= 120).to_numpy() & (c["granted"] >= MIN_GRANT).to_numpy()
    sizes = _ring_sizes(n, rng)
    rows = choose(w, eligible(w, "ASS", mask), int(sizes.sum()), rng)
    providers = w.employers.loc[w.employers["kind"] == "provider", "eid"].to_numpy()
    ring = np.repeat(np.arange(len(sizes)), sizes)[: len(rows)]
    # hosts ran out: a ring of one client is no network
    ring = ring[np.bincount(ring)[ring] >= 2] if len(ring) else ring
    if len(ring) == 0 or len(providers) == 0:
        return 0
    h = c.iloc[rows[: len(ring)]]
    k, n_rings = len(h), int(ring.max()) + 1
    size = np.bincount(ring)
    wk_ring = weak(w, n_rings, rng)
    # the ring's providers; client j of a ring is billed by provider j mod (providers of the ring)
    ring_prov = providers[rng.integers(0, len(providers), (n_rings, PROVIDERS_PER_RING))]
    j = group_offsets(size)
    prov = ring_prov[ring, j % np.minimum(size, PROVIDERS_PER_RING)[ring]]
    # straw assistants: one for every two clients; each reports for every client of the ring,
    # over 24 hours a day (two large grants)
    n_straw = size // 2
    straw = _straw_assistants(w, h["case"].to_numpy(), int(n_straw.sum()), rng)
    if len(straw) < n_straw.sum():
        return 0
    straw_ring = np.repeat(np.arange(n_rings), n_straw)
    # the ring starts for all its clients at once; a weak ring is caught up with in weeks
    ps, pe = h["ps"].to_numpy(), h["pe"].to_numpy()
    start = pd.Series(ps).groupby(ring).max().to_numpy() + rng.integers(0, 90, n_rings)
    lo = np.maximum(start[ring], ps)
    hi = np.where(wk_ring[ring], np.minimum(lo + rng.integers(14, 45, n_rings)[ring], pe), pe)
    # one row per client, straw assistant and day of the ring
    pair = pd.DataFrame({"i": np.arange(k), "ring": ring}).merge(
        pd.DataFrame({"aid": straw, "ring": straw_ring}), on="ring"
    )
    i = pair["i"].to_numpy()
    idx, d = expand_days(lo[i], hi[i])
    per_day = h["granted"].to_numpy()[i] / 7 / n_straw[ring[i]]
    hours = np.round(per_day[idx] * rng.uniform(0.95, 1.0, len(idx)) * 4) / 4
    extra = pd.DataFrame(
        {
            "case": h["case"].to_numpy()[i][idx],
            "aid": pair["aid"].to_numpy()[idx],
            "provider": prov[i][idx],
            "wage": w.scenario.amounts.assistant_hourly_wage_sek,
            "day": d,
            "hours": hours,
            "billed_factor": 1.0,
        }
    )
    days = w.ass_days
    # the clients' real assistants give no care in the ring's days
    span = pd.DataFrame({"lo": lo, "hi": hi}, index=h["case"].to_numpy()).reindex(days["case"])
    dd = days["day"].to_numpy()
    real_gone = (dd >= span["lo"].to_numpy()) & (dd <= span["hi"].to_numpy())
    w.ass_days = pd.concat([days[~real_gone], extra], ignore_index=True)
    link_assistants(w, extra)
    per_hour = w.scenario.rules.value("hourly_amount", extra["day"].to_numpy(), "ASS")
    wrong = (extra["hours"] * per_hour).groupby(extra["case"]).sum()
    weak_of = pd.Series(wk_ring[ring], index=h["case"].to_numpy())
    w.mark_measured(wrong, "ass_provider_ring", rng, weak_of)
    return len(wrong)
