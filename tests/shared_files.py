"""The documents and fixtures tests read from ../shared: skipped where it is absent, except in CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from felrisk.paths import project_root


def shared_path(*parts: str) -> Path:
    """`../shared/<parts>`; where it is missing a test skips, and in CI (CI set) it fails.

    CI clones shared/ beside the repository, so a missing file there is a broken checkout that a
    skip would hide: the contract test and the real-data audit would silently stop running.
    """
    path = project_root().parent.joinpath("shared", *parts)
    if not path.exists():
        where = "shared/ must be cloned beside the repository"
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"{path} not found, and CI is set: {where}", pytrace=False)
        pytest.skip(f"{path} not found ({where}; CI fails here instead of skipping)")
    return path
