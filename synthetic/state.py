"""The mutable state of a world while it is generated: internal frames with integer keys."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synthetic.scenario import FK_MECHANISMS, Scenario


@dataclass
class WorldState:
    """Every internal frame of a world under construction (ids are integers, days are ints)."""

    start: int
    end: int
    seed: int
    scenario: Scenario
    persons: pd.DataFrame
    children: pd.DataFrame
    pairs: pd.DataFrame
    employers: pd.DataFrame
    jobs: pd.DataFrame
    spells: pd.DataFrame
    cases: pd.DataFrame
    aks_months: pd.DataFrame = field(default_factory=pd.DataFrame)
    ass_links: pd.DataFrame = field(default_factory=pd.DataFrame)
    ass_days: pd.DataFrame = field(default_factory=pd.DataFrame)
    extra_income: list[pd.DataFrame] = field(default_factory=list)
    shortfall: dict[str, int] = field(default_factory=dict)
    floored: dict[str, int] = field(default_factory=dict)  # error cases beyond the rate (floor)

    def add_cases(self, new: pd.DataFrame) -> np.ndarray:
        """Append cases, giving them fresh case ids; returns the ids."""
        first = int(self.cases["case"].max()) + 1 if len(self.cases) else 1
        ids = np.arange(first, first + len(new), dtype="int64")
        new = new.copy()
        new["case"] = ids
        self.cases = pd.concat([self.cases, new], ignore_index=True)
        return ids

    def mark(
        self,
        case_ids: np.ndarray,
        mechanism: str,
        rng: np.random.Generator,
        mode: str,
        weak: np.ndarray | bool = False,
        wrong: np.ndarray | float = 0.0,
        lo: np.ndarray | None = None,
        hi: np.ndarray | None = None,
    ) -> None:
        """Record cases as erroneous by `mechanism`; `mode` says how the wrong amount is measured."""
        case_ids = np.asarray(case_ids, dtype="int64")
        if len(case_ids) == 0:
            return
        sel = self.cases["case"].isin(case_ids).to_numpy()
        pos = pd.Index(self.cases["case"][sel]).get_indexer(case_ids)
        rows = np.flatnonzero(sel)[pos]
        intent_p = self.scenario.errors.intentional.get(mechanism, 0.0)
        c = self.cases
        c.loc[rows, "err"] = True
        c.loc[rows, "mechanism"] = mechanism
        c.loc[rows, "caused_by"] = "fk" if mechanism in FK_MECHANISMS else "customer"
        c.loc[rows, "intentional"] = rng.random(len(rows)) < intent_p
        c.loc[rows, "weak"] = np.broadcast_to(np.asarray(weak), len(rows))
        c.loc[rows, "wrong"] = np.broadcast_to(np.asarray(wrong, dtype="float64"), len(rows))
        c.loc[rows, "wrong_mode"] = mode
        if lo is not None:
            c.loc[rows, "wrong_lo"] = np.asarray(lo, dtype="int64")
            c.loc[rows, "wrong_hi"] = np.asarray(hi, dtype="int64")

    def mark_measured(
        self, wrong: pd.Series, mechanism: str, rng: np.random.Generator, weak: pd.Series
    ) -> None:
        """Record the cases of `wrong` (SEK by case id, measured as the error was made) as
        erroneous by `mechanism`, rounded to whole kronor; `weak` (by case id) flags weak traces."""
        self.mark(
            wrong.index.to_numpy(),
            mechanism,
            rng,
            "fixed",
            weak.reindex(wrong.index).to_numpy(),
            wrong=np.round(wrong.to_numpy()),
        )
