"""Which Spark master `--engine spark` uses: a cluster's under spark-submit, else local."""

from __future__ import annotations

import pytest

from felrisk import datadir


class _Builder:
    def __init__(self) -> None:
        self.masters: list[str] = []

    def master(self, value: str) -> _Builder:
        self.masters.append(value)
        return self

    def config(self, *_: object) -> _Builder:
        return self

    def getOrCreate(self) -> list[str]:  # noqa: N802 (PySpark's name)
        return self.masters


@pytest.fixture
def builder(monkeypatch):
    b = _Builder()
    monkeypatch.setattr(datadir, "_spark_builder", lambda: b)
    monkeypatch.delenv("FELRISK_SPARK_MASTER", raising=False)
    monkeypatch.delenv("PYSPARK_GATEWAY_PORT", raising=False)
    return b


def test_local_by_default(builder):
    assert datadir.cluster_or_local_spark_session() == ["local[2]"]


def test_spark_submit_keeps_its_own_master(builder, monkeypatch):
    monkeypatch.setenv("PYSPARK_GATEWAY_PORT", "41234")
    assert datadir.cluster_or_local_spark_session() == []


def test_a_named_master_wins(builder, monkeypatch):
    monkeypatch.setenv("PYSPARK_GATEWAY_PORT", "41234")
    monkeypatch.setenv("FELRISK_SPARK_MASTER", "spark://head:7077")
    assert datadir.cluster_or_local_spark_session() == ["spark://head:7077"]
