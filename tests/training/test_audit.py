"""Equal-treatment audit: hand-computed figures, groups, proxy screen, the file command on real data."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from audit import (
    ALL_FEATURES,
    SCORE,
    AuditPolicy,
    age_band,
    audit_many,
    audit_selection_file,
    by_benefit,
    equal_treatment,
    income_band,
    load_audit_policy,
    person_groups,
    plot_equal_burden,
    proxy_screen,
)
from audit.burden import group_labels
from audit.night import add_groups
from audit.weights import ipw_weights
from felrisk.cli import main
from felrisk.errors import ConfigError, ContractError
from felrisk.paths import project_root
from tests.shared_files import shared_path

FAST = {"n_boot": 200, "seed": 0}
REQUIRED_TOP = {
    "hit_rate_random",
    "hit_rate_selected",
    "n_random",
    "n_selected",
    "band",
    "group_column",
    "groups",
}
REQUIRED_GROUP = {
    "share_random",
    "share_random_errors",
    "share_selected",
    "equal_burden_ratio",
    "equal_burden_ci",
    "hit_rate_selected",
    "fpr_ratio",
    "fails",
}


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random: A 4 rows (2 errors), B 6 rows (1 error). Selected: A 6 (3 errors), B 4 (1 error, 2 open)."""
    random = pd.DataFrame(
        {"g": list("AAAABBBBBB"), "is_error": [1, 1, 0, 0, 1, 0, 0, 0, 0, 0]}
    ).astype({"is_error": bool})
    selected = pd.DataFrame(
        {
            "g": list("AAAAAABBBB"),
            "is_error": [True, True, True, False, False, False, True, False, None, None],
        }
    )
    return random, selected


def test_hand_computed_figures() -> None:
    random, selected = _frames()
    res = equal_treatment(random, selected, "g", **FAST)
    t = res.table()
    assert list(t.index) == ["A", "B"]
    assert t["share_random"].tolist() == pytest.approx([0.4, 0.6])
    assert t["share_random_errors"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert t["share_selected"].tolist() == pytest.approx([0.6, 0.4])  # open outcomes count
    assert t["equal_burden_ratio"].tolist() == pytest.approx([0.9, 1.2])
    assert t["hit_rate_selected"].tolist() == pytest.approx([0.5, 0.5])  # known outcomes only
    assert t["hit_rate_random"].tolist() == pytest.approx([0.5, 1 / 6])
    # selected non-errors over the population's non-errors: A 3 / 0.2, B (4 * 0.5) / 0.5
    assert t["fpr_ratio"].tolist() == pytest.approx([15 / 4, 4 / 15])
    assert t["tpr_ratio"].tolist() == pytest.approx([15 / 20, 20 / 15])
    assert res.hit_rate_random[0] == pytest.approx(0.3)
    assert res.hit_rate_selected[0] == pytest.approx(4 / 8)
    assert (res.n_random, res.n_selected) == (10, 10)
    assert t["n_selected_known"].tolist() == [6, 2]


def test_weights_make_the_random_stream_speak_for_the_population() -> None:
    random, selected = _frames()
    # B's random picks were drawn with half the probability: each stands for twice as many cases
    weighted = random.assign(w=np.where(random["g"] == "B", 2.0, 1.0))
    t = equal_treatment(weighted, selected, "g", weight_col="w", **FAST).table()
    assert t["share_random"].tolist() == pytest.approx([4 / 16, 12 / 16])
    assert t["share_random_errors"].tolist() == pytest.approx([2 / 4, 2 / 4])
    assert t["equal_burden_ratio"].tolist() == pytest.approx([1.2, 0.8])


def test_to_dict_shape_and_json() -> None:
    random, selected = _frames()
    d = equal_treatment(random, selected, "g", **FAST).to_dict()
    assert set(d) >= REQUIRED_TOP
    assert d["band"] == [0.8, 1.25] and d["group_column"] == "g"
    for entry in d["groups"].values():
        assert set(entry) >= REQUIRED_GROUP
        assert len(entry["equal_burden_ci"]) == 2
        assert isinstance(entry["fails"], bool)
    json.dumps(d, allow_nan=False)  # plain JSON: no NaN or Infinity


def test_intervals_contain_the_point_and_follow_the_seed() -> None:
    rng = np.random.default_rng(5)
    random = pd.DataFrame({"g": rng.choice(list("XYZ"), 3000), "is_error": rng.random(3000) < 0.3})
    selected = pd.DataFrame({"g": rng.choice(list("XYZ"), 800), "is_error": rng.random(800) < 0.5})
    a = equal_treatment(random, selected, "g", n_boot=300, seed=11)
    t = a.table()
    for fig in ("share_random_errors", "share_selected", "equal_burden_ratio", "fpr_ratio"):
        assert (t[f"{fig}_low"] <= t[fig]).all() and (t[fig] <= t[f"{fig}_high"]).all()
    pd.testing.assert_frame_equal(
        t, equal_treatment(random, selected, "g", n_boot=300, seed=11).table()
    )
    other = equal_treatment(random, selected, "g", n_boot=300, seed=12).table()
    assert not np.allclose(t["equal_burden_ratio_low"], other["equal_burden_ratio_low"])
    assert np.allclose(t["equal_burden_ratio"], other["equal_burden_ratio"])


def test_over_selected_group_fails_and_fair_selection_passes() -> None:
    random = pd.DataFrame({"g": ["F"] * 500 + ["M"] * 500, "is_error": [True, False] * 500})
    skewed = pd.DataFrame({"g": ["F"] * 800 + ["M"] * 200, "is_error": True})
    res = equal_treatment(random, skewed, "g", **FAST)
    assert res.failing == ["F", "M"]  # 1.6 and 0.4: both intervals outside 0.8-1.25
    assert res.table()["verdict"].tolist() == ["fails", "fails"]
    fair = pd.DataFrame({"g": ["F"] * 500 + ["M"] * 500, "is_error": True})
    res = equal_treatment(random, fair, "g", **FAST)
    assert res.failing == []
    assert res.table()["verdict"].tolist() == ["within band", "within band"]
    # a wider band lets the skewed selection pass
    assert equal_treatment(random, skewed, "g", band=(0.3, 2.0), **FAST).failing == []


def test_group_with_too_few_random_errors_gets_no_verdict() -> None:
    random = pd.DataFrame({"g": ["A"] * 400 + ["B"] * 20, "is_error": [True] * 100 + [False] * 320})
    selected = pd.DataFrame({"g": ["A"] * 50 + ["B"] * 50, "is_error": True})
    t = equal_treatment(random, selected, "g", **FAST).table()
    assert t.loc["B", "n_random_errors"] == 0
    assert np.isinf(t.loc["B", "equal_burden_ratio"])
    assert not t.loc["B", "fails"] and t.loc["B", "verdict"] == "too few random errors"
    assert equal_treatment(random, selected, "g", min_random_errors=0, **FAST).failing == ["A", "B"]


def test_missing_group_value_is_its_own_group_and_codes_keep_their_order() -> None:
    random = pd.DataFrame({"g": [2.0, 10.0, 1.0, None] * 25, "is_error": [True, False] * 50})
    selected = pd.DataFrame({"g": [1.0, 2.0, 10.0, None], "is_error": False})
    t = equal_treatment(random, selected, "g", **FAST).table()
    assert list(t.index) == ["1", "2", "10", "missing"]


def test_audit_many_adds_pairs() -> None:
    rng = np.random.default_rng(2)
    random = pd.DataFrame(
        {"sex": rng.choice(["F", "M"], 400), "band": rng.choice(["lo", "hi"], 400)}
    ).assign(is_error=rng.random(400) < 0.3)
    selected = random.sample(150, random_state=1)
    results = audit_many(random, selected, ["sex", "band"], **FAST)
    assert list(results) == ["sex", "band", "sex×band"]
    assert set(results["sex×band"].table().index) == {"F×hi", "F×lo", "M×hi", "M×lo"}
    assert results["sex×band"].group_column == "sex×band"
    assert list(audit_many(random, selected, ["sex", "band"], pairs=False, **FAST)) == [
        "sex",
        "band",
    ]


def test_bad_library_input() -> None:
    random, selected = _frames()
    with pytest.raises(ContractError, match="'sex'"):
        equal_treatment(random, selected, "sex", **FAST)
    with pytest.raises(ValueError, match="random stream is empty"):
        equal_treatment(random.iloc[:0], selected, "g", **FAST)
    with pytest.raises(ValueError, match="without a known outcome"):
        equal_treatment(random.astype({"is_error": object}).assign(is_error=None), selected, "g")
    with pytest.raises(ValueError, match="band"):
        equal_treatment(random, selected, "g", band=(1.25, 0.8))
    with pytest.raises(ValueError, match="weights"):
        equal_treatment(random.assign(w=0.0), selected, "g", weight_col="w")


def test_plot_equal_burden_writes_png(tmp_path) -> None:
    random, selected = _frames()
    res = equal_treatment(random, selected, "g", **FAST)
    for path in (
        plot_equal_burden(res, tmp_path / "one.png"),
        plot_equal_burden({"g": res, "h": res}, tmp_path / "many.png"),
    ):
        assert path.read_bytes()[:4] == b"\x89PNG"


def test_age_band_counts_completed_years() -> None:
    births = pd.Series(pd.to_datetime(["1996-06-02", "1996-06-01", "1961-06-01", None]))
    bands = age_band(births, date(2026, 6, 1), edges=[30, 40, 50, 65])
    assert bands.astype(object).tolist()[:3] == ["<30", "30-39", "65+"]
    assert pd.isna(bands.iloc[3])
    assert list(bands.cat.categories) == ["<30", "30-39", "40-49", "50-64", "65+"]


def test_income_band() -> None:
    pay = pd.Series([0.0, np.nan, 149_999.0, 150_000.0, 500_000.0])
    bands = income_band(pay, edges=[150_000, 300_000, 450_000])
    assert bands.astype(str).tolist() == ["no pay", "no pay", "<150k", "150k-300k", "450k+"]


def test_shipped_config_matches_library_defaults() -> None:
    cfg = load_audit_policy()
    assert isinstance(cfg, AuditPolicy)
    assert cfg.band == (0.8, 1.25) and cfg.min_random_errors == 5
    assert cfg.resamples.file >= 200 and set(cfg.groups) >= {"sex", "birth_region"}


def test_proxy_screen_finds_a_proxy() -> None:
    rng = np.random.default_rng(0)
    n = 600
    sex = rng.choice(["F", "M"], n)
    region = rng.choice(["SE", "EU", "OTHER"], n)
    features = pd.DataFrame(
        {
            "part_time": (sex == "F") + rng.normal(0, 0.3, n),  # strong proxy of sex
            "noise": rng.normal(size=n),
            "language_code": np.where(region == "SE", "sv", np.where(region == "EU", "de", "ar")),
        }
    )
    protected = pd.DataFrame({"sex": sex, "birth_region": region})
    table = proxy_screen(features, protected, pd.Series(-features["part_time"]), folds=3)
    assert list(table.columns) == ["attribute", "feature", "auc", "n"]
    by = table.set_index(["attribute", "feature"])["auc"]
    assert by["sex", "part_time"] > 0.9
    assert by["sex", SCORE] == pytest.approx(by["sex", "part_time"])  # direction-free
    assert 0.4 < by["sex", "noise"] < 0.6
    assert by["birth_region", "language_code"] > 0.7  # macro one-vs-rest
    assert by["birth_region", ALL_FEATURES] > 0.9
    assert by.index.get_level_values(0).unique().tolist() == ["birth_region", "sex"]


def test_proxy_screen_leaves_a_one_row_class_out_of_the_model_auc() -> None:
    rng = np.random.default_rng(1)
    n = 200
    band = np.where(rng.random(n) < 0.5, "low", "high").astype(object)
    band[0] = "rare"  # a single row cannot be stratified into folds
    features = pd.DataFrame({"pay": (band == "high") + rng.normal(0, 0.2, n)})
    table = proxy_screen(features, pd.DataFrame({"income_band": band}), folds=3)
    by = table.set_index("feature")["auc"]
    assert by[ALL_FEATURES] > 0.9 and table["n"].eq(n).all()


# The agency's real 2017 VAB selections (../shared/fixtures/fk_vab_2017, README there).
CASES = {
    "gender": ("gender.csv", "gender"),
    "income": ("income.csv", "income"),
    "education": ("education.csv", "education"),
    "born_abroad": ("foreign.csv", "born_abroad"),
    "foreign_background": ("foreign.csv", "foreign_background"),
}
# group -> (share_random, share_random_errors, share_selected, ratio, ci_low, ci_high, fails)
EXPECTED = {
    "gender": {
        "K": (0.561, 0.560, 0.675, 1.206, 1.091, 1.343, False),
        "M": (0.439, 0.440, 0.325, 0.738, 0.649, 0.856, False),
    },
    "income": {
        "<=340000 (median)": (0.525, 0.616, 0.785, 1.274, 1.163, 1.400, False),
        ">340000 (median)": (0.475, 0.384, 0.215, 0.560, 0.485, 0.664, True),
    },
    "education": {
        "1": (0.008, 0.017, 0.035, 2.092, 1.088, 9.727, False),
        "2": (0.071, 0.099, 0.153, 1.545, 1.124, 2.318, False),
        "3": (0.449, 0.503, 0.598, 1.187, 1.064, 1.325, False),
        "4": (0.044, 0.036, 0.048, 1.318, 0.820, 2.783, False),
        "5": (0.410, 0.331, 0.156, 0.472, 0.405, 0.570, True),
        "6": (0.011, 0.007, 0.001, 0.208, 0.045, None, False),
        "9": (0.006, 0.007, 0.008, 1.248, 0.474, None, False),
        "missing": (0.002, 0.000, 0.000, None, None, None, False),
    },
    "born_abroad": {
        "0": (0.798, 0.745, 0.622, 0.834, 0.785, 0.898, False),
        "1": (0.202, 0.255, 0.378, 1.484, 1.236, 1.801, False),
    },
    "foreign_background": {
        "0": (0.763, 0.719, 0.569, 0.791, 0.740, 0.856, False),
        "1": (0.237, 0.281, 0.431, 1.532, 1.289, 1.841, True),
    },
}
FK_ARGS = [
    "--selection-column",
    "selection_method",
    "--random-value",
    "Random",
    "--outcome-column",
    "result",
    "--error-values",
    "Errors Found,Control Investigation",
]


@pytest.fixture(scope="module")
def fk_audits(tmp_path_factory) -> dict[str, dict]:
    fixture = shared_path("fixtures", "fk_vab_2017")
    out = {}
    for name, (file, column) in CASES.items():
        folder = tmp_path_factory.mktemp(name)
        code = main(
            [
                "audit-selection",
                str(fixture / file),
                "--group",
                column,
                "--out",
                str(folder),
                *FK_ARGS,
            ]
        )
        assert code == 0
        assert (folder / "equal_burden.png").read_bytes()[:4] == b"\x89PNG"
        out[name] = json.loads((folder / "audit.json").read_text(encoding="utf-8"))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_fk_2017_figures_are_pinned(fk_audits, name) -> None:
    d = fk_audits[name]
    assert set(d) >= REQUIRED_TOP
    assert (d["n_random"], d["n_selected"]) == (1047, 5082)
    assert d["hit_rate_random"] == pytest.approx(0.2884, abs=1e-4)  # domain.md: about 29 %
    assert d["hit_rate_selected"] == pytest.approx(0.4774, abs=1e-4)  # 47-49 % of model picks
    assert d["band"] == [0.8, 1.25] and d["group_column"] == CASES[name][1]
    assert list(d["groups"]) == list(EXPECTED[name])

    def close(got, want) -> bool:
        return got is None if want is None else got == pytest.approx(want, abs=1.5e-3)

    for label, (sr, sre, ss, ratio, low, high, fails) in EXPECTED[name].items():
        g = d["groups"][label]
        assert set(g) >= REQUIRED_GROUP
        got = (g["share_random"], g["share_random_errors"], g["share_selected"])
        assert all(close(a, b) for a, b in zip(got, (sr, sre, ss), strict=True)), (label, got)
        assert close(g["equal_burden_ratio"], ratio), (label, g["equal_burden_ratio"])
        assert close(g["equal_burden_ci"][0], low) and close(g["equal_burden_ci"][1], high), (
            label,
            g["equal_burden_ci"],
        )
        assert g["fails"] is fails, label


@pytest.mark.slow
def test_fk_2017_women_carry_more_than_their_share_of_errors(fk_audits) -> None:
    gender = fk_audits["gender"]["groups"]
    # same error rate in the random stream, yet two thirds of the selection
    assert gender["K"]["hit_rate_random"] == pytest.approx(gender["M"]["hit_rate_random"], abs=0.01)
    assert gender["K"]["share_selected"] > 0.67
    # scaled to the population, a woman without error is selected 1.76 times as often as a man
    assert gender["K"]["fpr_ratio"] == pytest.approx(1.761, abs=2e-3)
    assert gender["K"]["fpr_ratio_ci"][0] > 1.4
    assert fk_audits["income"]["split_at_median"] == 340000.0


def test_file_audit_on_parquet_with_default_columns(tmp_path) -> None:
    rng = np.random.default_rng(4)
    n = 400
    frame = pd.DataFrame(
        {
            "selection": np.where(np.arange(n) < 200, "random", "model"),
            "outcome": rng.choice(["no_error", "error_customer", "error_fk", None], n),
            "sex": rng.choice(["F", "M"], n),
            "pay": rng.integers(0, 600_000, n).astype(float),
        }
    )
    file = tmp_path / "controls.parquet"
    frame.to_parquet(file)
    report = audit_selection_file(file, group="pay", out=tmp_path / "out", seed=3)
    median = float(frame.loc[:199, "pay"].median())
    assert report["split_at_median"] == median
    assert report["n_random"] == int(frame.loc[:199, "outcome"].notna().sum())
    assert report["n_random_without_outcome"] == 200 - report["n_random"]
    assert report["n_selected"] == 200
    assert json.loads((tmp_path / "out" / "audit.json").read_text()) == json.loads(
        json.dumps(report)
    )
    assert [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")] == []
    # band and seed: the audit policy's unless given
    policy = load_audit_policy()
    assert report["band"] == list(policy.band) and report["n_boot"] == policy.resamples.file
    assert report["seed"] == 3
    wide = audit_selection_file(file, group="sex", out=tmp_path / "o2", band_low=0.5)
    assert wide["band"] == [0.5, policy.band_high] and wide["seed"] == policy.seed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--group", "sex"], "no column 'sex'"),
        (["--group", "gender", "--outcome-column", "outcome"], "no column 'outcome'"),
        (["--group", "gender", "--random-value", "random"], "no random rows"),
        (["--group", "gender"], "none of the error values"),
    ],
)
def test_file_audit_bad_input_is_a_contract_error(tmp_path, args, message, capsys) -> None:
    file = tmp_path / "sel.csv"
    pd.DataFrame(
        {
            "selection_method": ["Random", "Model"] * 5,
            "result": ["Errors Found", "No Errors Found"] * 5,
            "gender": ["K", "M"] * 5,
        }
    ).to_csv(file, index=False)
    base = ["--selection-column", "selection_method", "--random-value", "Random"]
    base += ["--outcome-column", "result"]
    code = main(["audit-selection", str(file), "--out", str(tmp_path / "o"), *base, *args])
    assert code == ContractError.exit_code
    assert message in " ".join(capsys.readouterr().err.split())
    assert not (tmp_path / "o" / "audit.json").exists()


def test_file_not_found_and_too_many_text_groups(tmp_path) -> None:
    with pytest.raises(ContractError, match="not found"):
        audit_selection_file(tmp_path / "nope.csv", group="g", out=tmp_path)
    file = tmp_path / "many.csv"
    pd.DataFrame(
        {
            "selection": ["random", "model"] * 20,
            "outcome": "error_fk",
            "g": [f"k{i}" for i in range(40)],
        }
    ).to_csv(file, index=False)
    with pytest.raises(ContractError, match="'g' has 40 distinct values"):
        audit_selection_file(file, group="g", out=tmp_path)


def test_age_band_takes_each_rows_own_date() -> None:
    births = pd.Series(pd.to_datetime(["1990-06-02", "1990-06-02", None]))
    days = pd.Series(pd.to_datetime(["2020-06-01", "2020-06-02", "2020-06-02"]))
    bands = age_band(births, days, edges=[30, 40])
    assert list(bands.astype(object)[:2]) == ["<30", "30-39"]
    assert pd.isna(bands.iloc[2])


def test_training_and_the_night_derive_groups_alike_and_audit_missing_as_missing() -> None:
    """One derivation (audit.groups.person_groups): the night's add_groups on one date equals
    it with that date per row (training's way), and a missing birth region or birth date is
    audited as "missing", last, the label the night's page and files publish."""
    persons = pd.DataFrame(
        {
            "person_id": ["a", "b", "c"],
            "sex": ["F", "M", "F"],
            "birth_region": ["SE", None, "EU"],
            "birth_date": pd.to_datetime(["1990-06-02", "1950-01-01", None]),
        }
    )
    rows = pd.DataFrame({"person_id": ["c", "a", "b", "a"]})
    night = add_groups(rows, persons, date(2020, 6, 2), age_band=age_band)
    per_row = person_groups(rows["person_id"], persons, pd.Series([pd.Timestamp(2020, 6, 2)] * 4))
    pd.testing.assert_frame_equal(night[list(per_row.columns)], per_row)
    assert night["age_band"].tolist()[1:] == ["30-39", "65+", "30-39"]
    assert pd.isna(night["age_band"].iloc[0]) and pd.isna(night["birth_region"].iloc[2])
    random = pd.concat([night] * 10, ignore_index=True).assign(is_error=[1, 0, 0, 1] * 10, w=1.0)
    for group, last in (("birth_region", "missing"), ("age_band", "missing")):
        table = equal_treatment(
            random, random.head(4), group, error_col="is_error", weight_col="w", n_boot=20
        ).table()
        assert list(table.index)[-1] == last


def test_a_selection_of_one_is_audited():
    """fairlearn's MetricFrame refuses a single sample; a list with one pick must still audit."""
    rng = np.random.default_rng(0)
    random = pd.DataFrame(
        {"sex": rng.choice(["F", "M"], 300), "is_error": rng.random(300) < 0.3, "w": 1.0}
    )
    one = random[random["sex"] == "M"].head(1)
    table = equal_treatment(
        random, one, "sex", error_col="is_error", weight_col="w", n_boot=50
    ).table()
    assert table.loc["M", "share_selected"] == 1.0 and table.loc["F", "share_selected"] == 0.0
    assert table.loc["M", "hit_rate_selected"] == float(one["is_error"].iloc[0])


def test_policy_names_each_use_s_resamples_and_refuses_a_bad_band(tmp_path) -> None:
    shipped = (project_root() / "felrisk" / "config" / "audit.toml").read_text(encoding="utf-8")
    cfg = load_audit_policy()
    # each use keeps the count it had before the policy was one object
    assert (cfg.resamples.file, cfg.resamples.gate) == (1000, 500)
    assert (cfg.resamples.per_benefit, cfg.resamples.confirm_max) == (200, 5000)
    bad = tmp_path / "audit.toml"
    bad.write_text(shipped.replace("band_low = 0.8", "band_low = 1.3"), encoding="utf-8")
    with pytest.raises(ConfigError, match="band_low must be below band_high"):
        load_audit_policy(bad)
    bad.write_text(shipped.replace("gate = 500\n", ""), encoding="utf-8")
    with pytest.raises(ConfigError, match="gate"):
        load_audit_policy(bad)


def test_by_benefit_leaves_out_few_picks_and_no_random_errors() -> None:
    random = pd.DataFrame(
        {"benefit": ["A", "A", "B", "B", "C"], "is_error": [True, False, False, False, True]}
    )
    selected = pd.DataFrame({"benefit": ["A", "A", "B", "B", "B", "C"]})
    got = [(b, len(r), len(s)) for b, r, s in by_benefit(random, selected, "CBA", min_picks=2)]
    # C has one pick, B no random error: only A, with its own rows
    assert got == [("A", 2, 2)]
    assert [b for b, _, _ in by_benefit(random, selected, "CBA", min_picks=1)] == ["C", "A"]


def test_ipw_weights_invert_known_probabilities_only() -> None:
    frame = pd.DataFrame({"selection_probability": [0.25, None, 0.0, "x", np.inf, 1.0]})
    assert ipw_weights(frame).tolist() == [4.0, 1.0, 1.0, 1.0, 1.0, 1.0]


def test_hit_rates_and_counts_equal_fairlearns_metricframe_to_the_bit() -> None:
    """The audit's per-group point rates are MetricFrame's, computed without its per-row cost."""
    from fairlearn.metrics import MetricFrame, count

    rng = np.random.default_rng(11)
    n, m = 3_000, 400
    groups = np.array([1.0, 2.0, 3.5, np.nan, 7.0], dtype=object)
    random = pd.DataFrame(
        {
            "g": rng.choice(groups, n),
            "is_error": rng.random(n) < 0.2,
            "weight": 1.0 / rng.choice([0.003, 0.007, 0.011, 0.3], n),
        }
    )
    selected = pd.DataFrame(
        {"g": rng.choice(groups[:4], m), "is_error": rng.choice([True, False, None], m)}
    )
    table = equal_treatment(random, selected, "g", weight_col="weight", n_boot=50, seed=1).table()

    def weighted_rate(y_true, y_pred, sample_weight):
        return float(np.average(y_true, weights=sample_weight))

    r_err = random["is_error"].to_numpy(float)
    mf_r = MetricFrame(
        metrics={"hit_rate": weighted_rate, "n": count},
        y_true=r_err,
        y_pred=r_err,
        sensitive_features=pd.Series(group_labels(random["g"]).to_numpy(dtype=str), dtype=object),
        sample_params={"hit_rate": {"sample_weight": random["weight"].to_numpy(float)}},
    ).by_group
    known = selected["is_error"].notna().to_numpy()
    s_err = selected["is_error"][known].astype(bool).to_numpy(float)
    mf_s = MetricFrame(
        metrics={"hit_rate": lambda y_true, y_pred: float(np.mean(y_true))},
        y_true=s_err,
        y_pred=s_err,
        sensitive_features=pd.Series(
            group_labels(selected["g"]).to_numpy(dtype=str)[known], dtype=object
        ),
    ).by_group
    expect_r = mf_r["hit_rate"].reindex(table.index).to_numpy(float)
    expect_s = mf_s["hit_rate"].reindex(table.index).to_numpy(float)
    np.testing.assert_array_equal(table["hit_rate_random"].to_numpy(float), expect_r)
    np.testing.assert_array_equal(table["hit_rate_selected"].to_numpy(float), expect_s)
    expect_n = mf_r["n"].reindex(table.index).fillna(0).to_numpy(int)
    np.testing.assert_array_equal(table["n_random"].to_numpy(int), expect_n)
    assert list(table.index) == ["1", "2", "3.5", "7", "missing"]
