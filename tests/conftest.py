"""Shared fixtures: the shipped scenario, and small fast variants of it."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from model.loading import load_scenario
from model.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]


def default_sigint() -> None:
    """Give a child process the Ctrl-C a terminal would (``preexec_fn``).

    A shell without job control starts background jobs with Ctrl-C ignored, and an
    ignored signal stays ignored across exec: a test suite started so would pass that on
    to the runs it interrupts, and they would finish instead of stopping.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
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
