"""Shared fixtures: the shipped scenario, and small fast variants of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.loading import load_scenario
from model.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
STATUS_QUO = ROOT / "scenarios" / "status_quo.yaml"


@pytest.fixture(scope="session")
def status_quo() -> Scenario:
    """The shipped default scenario, as users run it."""
    return load_scenario(STATUS_QUO)


@pytest.fixture(scope="session")
def small(status_quo: Scenario) -> Scenario:
    """Status quo over four months at a tenth of the volume, from empty: seconds, not minutes."""
    return load_scenario(STATUS_QUO, [
        "end_date=2024-04-30", "initial_state=null",
        "arrivals.referrals_per_year.2023=13000",
        "replications=4",
    ])
