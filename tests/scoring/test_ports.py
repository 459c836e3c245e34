"""The night's two sides: the real ones and the tests' fakes offer every member the job calls."""

from __future__ import annotations

import inspect

import pytest

from scoring.ports import DataSource, ModelRegistry
from scoring.sources import FelriskData, TrackedModels
from tests.scoring.world import FakeData, FakeModels


def _parameters(f) -> list[str]:
    return [p for p in inspect.signature(f).parameters if p != "self"]


@pytest.mark.parametrize(
    ("port", "side"),
    [
        (DataSource, FelriskData()),
        (DataSource, FakeData()),
        (ModelRegistry, TrackedModels()),
        (ModelRegistry, FakeModels()),
    ],
    ids=["real data", "fake data", "real registry", "fake registry"],
)
def test_each_side_has_the_ports_members_with_their_parameters(port, side):
    assert isinstance(side, port)
    for name, member in vars(port).items():
        if inspect.isfunction(member) and not name.startswith("_"):
            assert _parameters(getattr(side, name)) == _parameters(member), name
