"""The random stream tonight's list is measured against: closed by D-1, recent, weighted."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from scoring.fairness import random_stream

D = date.fromisoformat


def test_random_stream_is_closed_known_recent_and_weighted():
    controls = pd.DataFrame(
        {
            "control_id": ["old", "ok", "open", "closed_today", "rule", "ok2"],
            "selection": ["random", "random", "random", "random", "rule", "random"],
            "selected_date": [D("2022-01-01"), D("2025-03-01"), D("2025-06-01"), D("2025-08-01"),
                              D("2025-03-01"), D("2025-05-01")],
            "closed_date": [D("2022-03-01"), D("2025-04-01"), None, D("2025-10-01"),
                            D("2025-04-01"), D("2025-09-30")],
            "outcome": ["no_error", "error_fk", None, "no_error", "error_fk", "no_error"],
            "selection_probability": [0.1, 0.02, 0.02, 0.02, np.nan, 0.5],
        }
    )  # fmt: skip
    rnd = random_stream(controls, D("2025-10-01"), window_days=730)
    assert list(rnd["control_id"]) == ["ok", "ok2"]
    assert list(rnd["is_error"]) == [True, False]
    np.testing.assert_allclose(rnd["weight"], [50.0, 2.0])
    everything = random_stream(controls, D("2025-10-01"))
    assert list(everything["control_id"]) == ["old", "ok", "ok2"]
