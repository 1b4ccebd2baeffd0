"""Where a run's numbers came from, and whether a re-run gives every one of them again.

A run folder's ``run.json`` records a SHA-256 of the resolved scenario, of the
starting-state file it read, the product's version and, when run from a git
checkout, the commit (and whether tracked files had been changed).  Comparing a
re-run's tables with the original's is the run-folder contract's business
(``reports/run_folder.py``).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

from model.loading import ScenarioError, validate
from model.scenario import Scenario


class ProvenanceError(Exception):
    """A recorded run cannot be repeated as recorded; the message says why and what to do."""

PRODUCT = "micac-planner"
ROOT = Path(__file__).resolve().parents[2]


def canonical_json(scenario: Scenario) -> str:
    """The resolved scenario as compact JSON with sorted keys: the text its hash is taken of."""
    return json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def scenario_sha256(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario (every default filled in, every path resolved)."""
    return hashlib.sha256(canonical_json(scenario).encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def initial_state_sha256(scenario: Scenario) -> str | None:
    """SHA-256 of the starting-state file a scenario reads (None without one or if unreadable)."""
    if scenario.initial_state is None:
        return None
    try:
        return file_sha256(Path(scenario.initial_state.from_file))
    except OSError:
        return None


def product_version(root: Path = ROOT) -> str:
    """The installed product's version, else the one in the checkout's ``pyproject.toml``."""
    try:
        return metadata.version(PRODUCT)
    except metadata.PackageNotFoundError:
        pass
    try:
        with (root / "pyproject.toml").open("rb") as stream:
            return str(tomllib.load(stream)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def git_commit(root: Path = ROOT) -> dict[str, Any] | None:
    """``{"sha": ..., "dirty": ...}`` when the code runs from a git checkout, else None.

    ``dirty`` is true when tracked files differ from the commit (untracked files,
    such as run folders, do not count).  Never fails: no git, no checkout, or a
    git that hangs all give None.
    """
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                                  text=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if top is None or Path(top).resolve() != root.resolve():
        return None  # installed elsewhere, perhaps inside someone else's repository
    sha = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    if sha is None or status is None:
        return None
    return {"sha": sha, "dirty": bool(status)}


def provenance(scenario: Scenario) -> dict[str, Any]:
    """The provenance entries of ``run.json``."""
    return {
        "scenario_sha256": scenario_sha256(scenario),
        "initial_state_sha256": initial_state_sha256(scenario),
        "product_version": product_version(),
        "commit": git_commit(),
    }


def recorded_scenario(info: dict[str, Any], where: Path) -> tuple[Scenario, bool]:
    """The scenario a ``run.json`` records, checked against the files it reads.

    Parameters
    ----------
    info : dict
        The parsed ``run.json`` of a scenario run.
    where : Path
        The ``run.json`` file, named in messages.

    Returns
    -------
    tuple of (Scenario, bool)
        The scenario with the recorded seed and replications, and whether it resolves
        differently under this version (its hash differs from the recorded one).

    Raises
    ------
    ProvenanceError
        If the scenario is not valid any more, the seed or replications are missing, or
        the starting-state file it read has gone or changed.
    """
    try:
        scenario = validate(info["scenario"])
    except ScenarioError as error:
        raise ProvenanceError(f"{where}: the recorded scenario is not valid under this "
                              f"version of the product: {error}") from None
    try:
        scenario = scenario.model_copy(update={"seed": int(info["seed"]),
                                               "replications": int(info["replications"])})
    except (KeyError, TypeError, ValueError):
        raise ProvenanceError(f"{where} lacks a whole-number seed or replications") from None
    _check_initial_state(scenario, info.get("initial_state_sha256"))
    recorded = info.get("scenario_sha256")
    return scenario, bool(recorded and recorded != scenario_sha256(scenario))


def _check_initial_state(scenario: Scenario, recorded: str | None) -> None:
    if scenario.initial_state is None:
        return
    path = Path(scenario.initial_state.from_file)
    if not path.is_file():
        raise ProvenanceError(f"the run started from {path} (initial_state.from_file), which "
                              "no longer exists; restore it to reproduce the run")
    if recorded and file_sha256(path) != recorded:
        raise ProvenanceError(f"{path} (initial_state.from_file) has changed since the run "
                              "(its SHA-256 differs from run.json's); restore the file the "
                              "run used, e.g. from git, to reproduce it")
