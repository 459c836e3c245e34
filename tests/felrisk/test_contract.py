"""The contract in code matches ../shared/data-contract.md (plus the optional columns felrisk adds,
docs/contract_additions.md): every table, column, type and code."""

from __future__ import annotations

import re
from datetime import date

import pytest

from felrisk.contract import BENEFITS, TABLES, TRUTH_TABLES
from felrisk.paths import project_root
from felrisk.rules import load_rules
from felrisk.schemas import contract_schema
from tests.shared_files import shared_path

ADDITIONS_MD = project_root() / "docs" / "contract_additions.md"
TYPE_WORDS = {"str": "str", "date": "date", "float": "float", "bool": "bool", "int": "int"}


def _document_tables(path, tables=None) -> dict[str, dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    tables = {} if tables is None else tables
    current = None
    for line in text.splitlines():
        head = re.match(r"^### (?:truth/)?(\w+)", line)
        if head:
            current = head.group(1)
            tables.setdefault(current, {})
            continue
        row = re.match(r"^\| (\w+) \| (\w+) \|", line)
        if current and row and row.group(1) != "column":
            tables[current][row.group(1)] = row.group(2)
    return tables


@pytest.fixture(scope="module")
def contract_md():
    return shared_path("data-contract.md")


@pytest.fixture(scope="module")
def document(contract_md):
    return _document_tables(ADDITIONS_MD, _document_tables(contract_md))


def test_every_documented_table_and_column_is_in_code(document):
    code = {**TABLES, **TRUTH_TABLES}
    assert set(document) == set(code)
    for name, columns in document.items():
        spec = code[name]
        assert list(columns) == list(spec.column_names), name
        for column, type_word in columns.items():
            assert spec.column(column).type == TYPE_WORDS[type_word], (name, column)


def test_benefit_codes_match_the_document(contract_md):
    text = contract_md.read_text(encoding="utf-8")
    documented = re.findall(r"^\| ([A-Z]{2,3})\s+\| ", text, flags=re.MULTILINE)
    assert tuple(documented) == BENEFITS


def test_arrow_types_are_the_contracts():
    schema = TABLES["payments"].arrow_schema()
    assert str(schema.field("period_start").type) == "date32[day]"
    assert str(schema.field("amount_sek").type) == "double"
    assert schema.field("hours").nullable and not schema.field("amount_sek").nullable


def test_protected_attributes_are_declared():
    from felrisk.contract import PROTECTED_COLUMNS

    assert set(PROTECTED_COLUMNS) == {"sex", "birth_region"}
    assert {"sex", "birth_region"} <= set(TABLES["persons"].column_names)


def test_every_table_has_a_pandera_schema():
    for name, spec in TABLES.items():
        assert list(contract_schema(name).columns) == list(spec.column_names)


def test_rules_file_encodes_the_seven_rules():
    rules = load_rules()
    assert rules.extent.max_total == 1.0
    assert set(rules.forbidden_partners("AKS")) == {"SJP", "SE", "AE"}
    assert rules.forbidden_partners("KAR") == ("SJP",)
    assert (rules.sickpay_period.first_day, rules.sickpay_period.last_day) == (1, 14)
    assert rules.both_parents.never == ("TFP",)
    # the figures that change with the law: named here, dated in benefit_rules.toml only
    bp = rules.both_parents
    for day, quota, months in ((date(2024, 6, 30), 30, 12), (date(2024, 7, 1), 60, 15)):
        assert rules.value_on(bp.quota_rule, bp.double_day_benefit, day) == quota
        assert rules.value_on(bp.age_months_rule, bp.double_day_benefit, day) == months
    assert rules.forbidden_partners("AKS", date(2020, 6, 30)) == ()
    assert rules.forbidden_partners("AKS", date(2020, 7, 1)) == ("AE", "SE", "SJP")
    assert rules.forbidden_partners("SJP", date(2020, 6, 30)) == ("KAR",)
    assert rules.age["AE"].by_month and rules.age["SE"].min_age == 30
    assert rules.assistance.max_assistant_hours_per_day == 24


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("max_total = 1.0", 'max_total = "lots"', r"extent\.max_total.*'lots'"),
        # a dated figure named but absent from benefit_rules.toml fails at load, with a hint
        (
            'quota_rule = "double_days_max"',
            'quota_rule = "double_day_max"',
            r"double_day_max.*did you mean 'double_days_max'",
        ),
        ('in_force = "aks_not_beside_sjp_se_ae"', 'in_force = "x"', r"'x'"),
    ],
)
def test_bad_rules_file_names_the_field(tmp_path, old, new, match):
    from felrisk.errors import ConfigError

    bad = tmp_path / "rules.toml"
    text = (project_root() / "felrisk" / "config" / "rules.toml").read_text()
    bad.write_text(text.replace(old, new))
    with pytest.raises(ConfigError, match=match):
        load_rules(bad)
