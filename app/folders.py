"""Result folders read as options: runs, optimisations, comparisons and sweeps.

An :class:`Option` is what the page puts side by side: a name, the summary table
(``scope, metric, unit, mean, ci_low, ci_high``), each replication's values where the
folder has them (for paired differences), the scenario it rests on where the folder records
one (for levers and the YAML export), and an optimisation's plan, budget, certificate and
regret.  Every table is read through ``reports.run_folder``, the folders' one contract.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from model.metrics import NATIONAL
from reports import run_folder as files


class FolderError(Exception):
    """A folder the page cannot show; the message says what it lacks."""


@dataclass(frozen=True)
class Option:
    """One option the page can show.

    Attributes
    ----------
    key : str
        Unique among the options the page holds; the name shown.
    local_name : str
        The option's name inside its folder (``optimised``, a compared file's stem), as the
        folder's ``paired_diff.csv`` names it.
    folder : Path
        Where its tables are.
    kind : str
        ``run``, ``optimised plan``, ``alternative``, ``compared option`` or ``page``.
    summary : pd.DataFrame
        Whole-horizon ``scope, metric, unit, mean, ci_low, ci_high``.
    replications : pd.DataFrame or None
        ``replication, scope, metric, value``; None where the folder has none.
    scenario : dict or None
        The resolved scenario (an optimisation's plan in place), None where not recorded.
    seed : int or None
        The seed its replications drew from.
    count : int
        How many replications its figures rest on.
    interval : str
        What its intervals are (``run.json``'s ``interval``).
    paired : pd.DataFrame or None
        Its folder's ``paired_diff.csv`` (pairs the folder compared), None if absent.
    plan, budget, certificate, regret : pd.DataFrame or None
        An optimisation's tables, None elsewhere.
    proposal : Path or None
        An optimisation's ``proposal.pdf``.
    base : str
        For an option made on the page: the option it started from.
    overrides : tuple of str
        For an option made on the page: the ``--set`` overrides of its base it applies.
    first : int
        The first replication's number (an optimisation's fresh replications start at
        100,000); options pair replication by replication only with the same numbers.
    origin : Path or None
        The folder that compared it, where that is not ``folder``.
    """

    key: str
    local_name: str
    folder: Path
    kind: str
    summary: pd.DataFrame
    replications: pd.DataFrame | None
    scenario: dict[str, Any] | None
    seed: int | None
    count: int
    interval: str
    paired: pd.DataFrame | None = None
    plan: pd.DataFrame | None = None
    budget: pd.DataFrame | None = None
    certificate: pd.DataFrame | None = None
    regret: pd.DataFrame | None = None
    proposal: Path | None = None
    base: str = ""
    overrides: tuple[str, ...] = field(default=())
    first: int = 0
    origin: Path | None = None

    @property
    def home(self) -> Path:
        """The folder whose ``paired_diff.csv`` compares it (a comparison's for its runs)."""
        return self.origin or self.folder

    @property
    def numbers(self) -> tuple[int, ...]:
        """The replications' numbers, in order (empty without per-replication values)."""
        if self.replications is None:
            return ()
        return tuple(sorted(int(r) for r in set(self.replications["replication"])))

    def national(self, metric: str) -> Any:
        """A whole-horizon national metric per replication, in replication order."""
        if self.replications is None:
            raise ValueError(f"{self.key} has no per-replication values")
        rows = self.replications[(self.replications["scope"] == NATIONAL)
                                 & (self.replications["metric"] == metric)]
        return rows.sort_values("replication")["value"].to_numpy(dtype=float)

    @property
    def states(self) -> list[str]:
        """The state codes of its summary, in order."""
        return [str(s) for s in dict.fromkeys(self.summary["scope"]) if s != NATIONAL]


def _record(folder: Path) -> dict[str, Any]:
    path = folder / files.RUN_JSON
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FolderError(f"{path} cannot be read ({error}); give a folder written by "
                          "run_scenario.py") from None
    if not isinstance(info, dict):
        raise FolderError(f"{path} is not a run record; give a folder written by "
                          "run_scenario.py")
    return info


def _replications(folder: Path) -> pd.DataFrame | None:
    path = folder / files.REPLICATIONS_CSV
    return pd.read_csv(path) if path.is_file() else None


def _first(replications: pd.DataFrame | None) -> int:
    return 0 if replications is None or replications.empty \
        else int(replications["replication"].min())


def run_option(folder: Path, key: str, kind: str = "run", base: str = "",
               overrides: tuple[str, ...] = ()) -> Option:
    """The option of a run folder (a scenario run, a sweep point or an answer of the page)."""
    run = files.read_run_folder(folder)
    info = run.info
    replications = _replications(folder)
    scenario = info.get("scenario") if isinstance(info.get("scenario"), dict) else None
    return Option(key=key, local_name=str((scenario or {}).get("name", key)), folder=folder,
                  kind=kind, summary=run.summary, replications=replications,
                  scenario=scenario, seed=_int(info.get("seed")),
                  count=_count(info, replications), interval=str(info.get("interval", "")),
                  paired=_paired(folder), base=base, overrides=overrides,
                  first=_first(replications))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _count(info: dict[str, Any], replications: pd.DataFrame | None) -> int:
    if replications is not None and not replications.empty:
        return int(replications["replication"].nunique())
    return _int(info.get("replications")) or 0


def _paired(folder: Path) -> pd.DataFrame | None:
    path = folder / files.PAIRED_DIFF_CSV
    return pd.read_csv(path) if path.is_file() else None


def optimisation_options(folder: Path, name: str) -> list[Option]:
    """An optimisation's chosen plan, then the alternatives it was compared with.

    The plan's scenario is ``plan_scenario`` without its ``optimise`` section (the page
    simulates it as it stands); the alternatives (``option_<name>.csv``) have summaries only.
    """
    info = _record(folder)
    replications = _replications(folder)
    scenario = dict(info.get("plan_scenario") or info.get("scenario") or {})
    scenario["optimise"] = None
    proposal = folder / files.PROPOSAL_PDF
    plan = Option(key=f"{name}: optimised", local_name="optimised", folder=folder,
                  kind="optimised plan", summary=pd.read_csv(folder / files.SUMMARY_CSV),
                  replications=replications, scenario=scenario, seed=_int(info.get("seed")),
                  count=_count(info, replications), interval=str(info.get("interval", "")),
                  paired=_paired(folder), plan=pd.read_csv(folder / files.PLAN_CSV)
                  if (folder / files.PLAN_CSV).is_file() else None,
                  budget=files.read_budget(folder), certificate=files.read_certificate(folder),
                  regret=files.read_regret(folder),
                  proposal=proposal if proposal.is_file() else None, first=_first(replications))
    options = [plan]
    for path in sorted(folder.glob("option_*.csv")):
        local = path.stem.removeprefix("option_")
        options.append(Option(key=f"{name}: {local}", local_name=local, folder=folder,
                              kind="alternative", summary=pd.read_csv(path), replications=None,
                              scenario=None, seed=plan.seed, count=plan.count,
                              interval=plan.interval, paired=plan.paired))
    return options


def comparison_options(folder: Path, name: str) -> list[Option]:
    """The options of a comparison folder, in the order the command named them.

    A comparison under every hypothesis keeps each one's run folder (``hypotheses/NAME``),
    with its replications; otherwise each option has its summary from ``comparison.csv``.
    """
    run = files.read_comparison_folder(folder)
    scenarios = run.info.get("scenarios") or {}
    options = []
    for local in run.options:
        sub = folder / files.HYPOTHESES_FOLDER / local
        if files.is_complete(sub):
            option = run_option(sub, f"{name}: {local}", "compared option")
            options.append(Option(**{**vars(option), "local_name": local,
                                     "paired": run.paired, "origin": folder}))
            continue
        rows = run.comparison[run.comparison["option"] == local]
        options.append(Option(
            key=f"{name}: {local}", local_name=local, folder=folder, kind="compared option",
            summary=rows.drop(columns="option").reset_index(drop=True), replications=None,
            scenario=scenarios.get(local), seed=_int(run.info.get("seed")),
            count=_int(run.info.get("replications")) or 0,
            interval=str(run.info.get("interval", "")), paired=run.paired))
    return options


def sweep_points(folder: Path) -> list[Path]:
    """The finished points of a sweep folder (each a run folder)."""
    points = folder / files.POINTS_FOLDER
    return sorted(p for p in points.iterdir() if files.is_complete(p)) \
        if points.is_dir() else []


def is_sweep(folder: Path) -> bool:
    """Whether a folder holds a sweep (``points/``)."""
    return (folder / files.POINTS_FOLDER).is_dir()


def folder_options(folder: Path) -> list[Option]:
    """Every option a result folder holds (none for a sweep: its points are cached answers).

    Raises
    ------
    FolderError
        If the folder is missing or holds no result the page can show.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FolderError(f"{folder} is not a folder; give result folders written by "
                          "run_scenario.py (runs, optimisations, comparisons or sweeps)")
    name = folder.name
    if is_sweep(folder):
        return []
    if not (folder / files.RUN_JSON).is_file():
        raise FolderError(f"{folder} has no {files.RUN_JSON}: give result folders written by "
                          "run_scenario.py (runs, optimisations, comparisons or sweeps)")
    try:
        if (folder / files.COMPARISON_CSV).is_file():
            return comparison_options(folder, name)
        info = _record(folder)
        if "plan" in info and (folder / files.SUMMARY_CSV).is_file():
            return optimisation_options(folder, name)
        if files.is_complete(folder):
            return [run_option(folder, name)]
    except (FileNotFoundError, KeyError, ValueError, pd.errors.ParserError) as error:
        raise FolderError(f"{folder} cannot be read as a result folder: {error}") from None
    raise FolderError(f"{folder} holds no {files.SUMMARY_CSV} or {files.COMPARISON_CSV}: it "
                      "is not a run, optimisation, comparison or sweep folder")
