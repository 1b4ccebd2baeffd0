"""What ``run.json`` records: everything needed to understand and repeat a run.

Every command's ``run.json`` is built here, so a run, a calibration, a sensitivity
analysis, a comparison and a sweep point all carry the same provenance: the resolved
scenario (or scenarios), seed, replications, hashes, version and commit, the packages,
the kind of interval shown, and the assumptions register.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping, Sequence
from importlib import metadata
from typing import Any

from model.runs.provenance import provenance
from model.scenario import Scenario, assumptions_register

PACKAGES = ("numpy", "pandas", "simpy", "scipy", "pydantic", "pyyaml", "ortools", "matplotlib")
"""Packages whose versions every ``run.json`` records."""

EVENTS_ONLY = "95 % t-interval for the mean over independent replications (randomness of events)"
"""The interval of an ordinary run."""
WITH_PARAMETERS = ("2.5th-97.5th percentile over replications, each drawing its parameters "
                   "from what the history leaves open: randomness of events and uncertainty of "
                   "the parameters")
"""The interval of a run with ``--uncertainty`` (``uncertainty_drawn_from`` says from what)."""
PAIRED = EVENTS_ONLY + "; differences are paired replication by replication"
"""The interval of a comparison's differences."""


def run_info(scenario: Scenario, workers: int, wall_seconds: float, argv: Sequence[str],
             interval_kind: str) -> dict[str, Any]:
    """The ``run.json`` of a run of one scenario."""
    return {
        "scenario": scenario.model_dump(mode="json"),
        "seed": scenario.seed,
        "replications": scenario.replications,
        **provenance(scenario),
        "workers": workers,
        "interval": interval_kind,
        **_environment(wall_seconds, argv),
        "assumptions": assumptions_register(scenario),
    }


def comparison_info(options: Mapping[str, Scenario], files: Sequence[str], workers: int,
                    wall_seconds: float, argv: Sequence[str]) -> dict[str, Any]:
    """The ``run.json`` of a comparison: every option's scenario and provenance."""
    first = next(iter(options.values()))
    return {
        "options": list(options),
        "seed": first.seed,
        "replications": first.replications,
        "interval": PAIRED,
        "scenarios": {name: s.model_dump(mode="json") for name, s in options.items()},
        "scenario_files": list(files),
        "provenance": {name: provenance(s) for name, s in options.items()},
        "workers": workers,
        **_environment(wall_seconds, argv),
    }


def _environment(wall_seconds: float, argv: Sequence[str]) -> dict[str, Any]:
    return {
        "wall_time_seconds": round(wall_seconds, 3),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": ["run_scenario.py", *argv],
        "python": sys.version.split()[0],
        "packages": {name: package_version(name) for name in PACKAGES},
    }


def package_version(package: str) -> str:
    """An installed package's version, or ``"not installed"``."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def made_with(info: Mapping[str, Any]) -> str:
    """``"version 0.1.0 (commit 28e1a0c9e2, modified)"`` from a ``run.json`` or provenance."""
    commit = info.get("commit")
    made = f"version {info.get('product_version', 'unknown')}"
    if isinstance(commit, dict) and commit.get("sha"):
        made += f" (commit {str(commit['sha'])[:10]}{', modified' if commit.get('dirty') else ''})"
    return made
