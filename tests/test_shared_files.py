"""A test that needs ../shared skips where it is absent, fails in CI, and reads it where present."""

from __future__ import annotations

import pytest

from tests import shared_files


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setattr(shared_files, "project_root", lambda: tmp_path / "repo")
    monkeypatch.delenv("CI", raising=False)
    return tmp_path / "repo"


def test_missing_shared_skips_locally(repo):
    with pytest.raises(pytest.skip.Exception, match="shared/ must be cloned"):
        shared_files.shared_path("data-contract.md")


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_missing_shared_fails_in_ci(repo, monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        shared_files.shared_path("data-contract.md")


def test_present_shared_is_returned(repo, monkeypatch):
    doc = repo.parent / "shared" / "fixtures" / "fk_vab_2017"
    doc.mkdir(parents=True)
    monkeypatch.setenv("CI", "true")
    assert shared_files.shared_path("fixtures", "fk_vab_2017") == doc
