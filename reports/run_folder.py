"""The result-folder contract: file names, columns, the atomic writer and the readers.

Every command writes its folder through ``write_run_folder``: the files go into a hidden
temporary folder beside the destination and are moved into place only when every one is
complete, so an interrupted or failed run never leaves a folder that looks whole.  Every
report, the sweep and ``reproduce`` read folders through the readers here, so a file's
name and columns are written down once.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from model.metrics import NATIONAL, PAIRED_COLUMNS
from model.tables import BINDING, BUDGET, CANDIDATES, CERTIFICATE, FRONTIER, PLAN, REGRET
from reports import ownership
from reports.formatting import format_estimate

# Every file a command writes into a result folder, named once.
SUMMARY_CSV = "summary.csv"
YEARLY_CSV = "yearly.csv"
REPLICATIONS_CSV = "replications.csv"
MONTHLY_CSV = "monthly.csv"
DELAYS_CSV = "delays.csv"
END_STATE_CSV = "end_state.csv"
UTILISATION_CSV = "utilisation.csv"
RUN_JSON = "run.json"
REPORT_HTML = "report.html"
PLAN_CSV = PLAN.file
PAIRED_DIFF_CSV = "paired_diff.csv"
CANDIDATES_CSV = CANDIDATES.file
CERTIFICATE_CSV = CERTIFICATE.file
REGRET_CSV = REGRET.file
MARGINAL_CSV = "marginal.csv"
"""Written by optimisations before binding constraints replaced it; read if present."""
BUDGET_CSV = BUDGET.file
FRONTIER_CSV = FRONTIER.file
BINDING_CSV = BINDING.file
COMPARISON_CSV = "comparison.csv"
COMPARISON_HTML = "comparison.html"
HYPOTHESES_CSV = "hypotheses.csv"
DISCRIMINATORS_CSV = "discriminators.csv"
DESIGN_POINTS_CSV = "design_points.csv"
HYPOTHESES_FOLDER = "hypotheses"
FITTED_PARAMETERS_CSV = "fitted_parameters.csv"
CHECKS_CSV = "checks.csv"
VALIDATION_HTML = "validation.html"
SENSITIVITY_CSV = "sensitivity.csv"
SENSITIVITY_HTML = "sensitivity.html"
PROPOSAL_PDF = "proposal.pdf"
PROPOSAL_XLSX = "proposal.xlsx"
SWEEP_CSV = "sweep.csv"
SWEEP_PNG = "sweep.png"
POINTS_FOLDER = "points"

RESULT_TABLES = (SUMMARY_CSV, YEARLY_CSV, REPLICATIONS_CSV, MONTHLY_CSV, DELAYS_CSV,
                 END_STATE_CSV, UTILISATION_CSV)
"""The tables every scenario run writes, in the order ``reproduce`` compares them."""


def option_csv(option: str) -> str:
    """The summary file of an alternative an optimisation compared its plan with."""
    return f"option_{option}.csv"


BUDGET_COLUMNS = BUDGET.columns
FRONTIER_COLUMNS = FRONTIER.columns
BINDING_COLUMNS = BINDING.columns
CANDIDATE_COLUMNS = CANDIDATES.columns
CERTIFICATE_COLUMNS = CERTIFICATE.columns
REGRET_COLUMNS = REGRET.columns
"""The optimiser's tables' columns, declared in ``model.tables`` with what a row is."""


RESULT_TABLE_FIELDS = {"summary": SUMMARY_CSV, "yearly": YEARLY_CSV,
                       "replications": REPLICATIONS_CSV, "monthly": MONTHLY_CSV,
                       "delays": DELAYS_CSV, "end_state": END_STATE_CSV,
                       "utilisation": UTILISATION_CSV}
"""Which file holds each of a run's result tables (the fields of ``ResultTables``)."""


class OutputError(Exception):
    """The run folder cannot be written; the message says why and what to do."""


def check_destination(out: Path, force: bool, sweep: bool = False) -> None:
    """Refuse, before any work, a destination that would lose files or cannot be written.

    ``force`` replaces only a folder a run of this tool wrote, whole (``reports.ownership``);
    ``sweep`` lets a sweep resume into its own folder.
    """
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file, not a folder; choose another path")
    try:
        ownership.check_replaceable(out, force, sweep)
    except ownership.DestinationError as error:
        raise OutputError(str(error)) from None
    probe = out.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError(f"--out {out}: {probe} is a file, not a folder; choose another path")
    try:  # try it: permissions alone do not say (root ignores them; /proc refuses even root)
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as error:
        raise OutputError(f"--out {out}: cannot create files in {probe} "
                          f"({error.strerror or error}); choose a folder you can write to"
                          ) from None


def claim_destination(out: Path) -> None:
    """Hold ``out`` for this process: no other run may write it until the process ends.

    Raises
    ------
    OutputError
        If another run is writing it.
    """
    try:
        ownership.claim(out)
    except ownership.DestinationError as error:
        raise OutputError(str(error)) from None
    except OSError as error:
        raise OutputError(f"--out {out}: cannot create its lock beside it "
                          f"({error.strerror or error}); choose a folder you can write to"
                          ) from None


def write_run_folder(out: Path, tables: dict[str, pd.DataFrame], run_info: dict[str, Any],
                     force: bool = False,
                     renderers: Sequence[Callable[[Path], Any]] = ()) -> Path:
    """Write ``tables`` (file name -> frame) and ``run.json`` into ``out`` atomically.

    Each renderer is then called with the staging folder (holding the tables)
    to add its own files, such as a report, before the folder is moved into place.  The
    destination is held for the while (``claim_destination``); ``run.json`` is then sealed
    with the manifest of every file written.
    """
    claim_destination(out)
    try:
        check_destination(out, force)
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}{ownership.PARTIAL}",
                                        dir=out.parent))
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a run folder is not
        try:
            _fill(staging, tables, run_info, renderers)
            if out.exists():
                shutil.rmtree(out)
            staging.rename(out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    finally:
        ownership.release(out)
    return out


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def read_run_record(folder: Path) -> dict[str, Any]:
    """A scenario run's ``run.json``, refused with a reason for anything else.

    Raises
    ------
    OutputError
        If the folder has no readable ``run.json``, or holds a comparison, sweep,
        calibration, sensitivity or optimisation run (which ``reproduce`` does not re-run).
    """
    path = folder / RUN_JSON
    if not path.is_file():
        raise OutputError(f"{folder} has no {RUN_JSON}; give a folder written by "
                          "run_scenario.py")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise OutputError(f"{path} cannot be read as JSON ({error})") from None
    if not isinstance(info, dict) or not isinstance(info.get("scenario"), dict):
        raise OutputError(f"{path} records no single scenario (a comparison or a sweep?); "
                          "reproduce re-runs runs of one scenario")
    command = info.get("command") or []
    kind = command[1] if len(command) > 1 and command[1] in ("calibrate", "sensitivity") \
        else "optimisation" if "plan" in info else None
    if kind:
        raise OutputError(f"{folder} holds a {kind} run; reproduce re-runs scenario runs only "
                          f"(re-run it with: python {' '.join(map(str, command))})")
    return info


def result_files(tables: object) -> dict[str, pd.DataFrame]:
    """A run's result tables by file name.

    Parameters
    ----------
    tables : object
        Anything with the frames ``summary, yearly, replications, monthly, delays,
        end_state, utilisation`` as attributes (``model.experiments.summaries.ResultTables``).
    """
    return {name: getattr(tables, field) for field, name in RESULT_TABLE_FIELDS.items()}


def write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write frames by file name into an existing folder, as every command writes them."""
    for name, frame in tables.items():
        frame.to_csv(folder / name, index=False)


CALIBRATION_TABLE_FIELDS = {"hypotheses": HYPOTHESES_CSV,
                            "fitted_parameters": FITTED_PARAMETERS_CSV,
                            "discriminators": DISCRIMINATORS_CSV,
                            "design_points": DESIGN_POINTS_CSV, "checks": CHECKS_CSV}
"""Which file holds each table of a calibration (the fields of ``CalibrationTables``)."""


def calibration_files(tables: object) -> dict[str, pd.DataFrame]:
    """A calibration's tables by file name (``model.experiments.hypotheses.CalibrationTables``)."""
    return {name: getattr(tables, field) for field, name in CALIBRATION_TABLE_FIELDS.items()}


def write_subfolders(staging: Path, parent: str,
                     folders: dict[str, tuple[dict[str, pd.DataFrame], dict[str, Any]]],
                     renderers: Sequence[Callable[[Path], Any]] = ()) -> None:
    """Write run folders inside a folder being written (``hypotheses/NAME/``...).

    Each gets its tables and ``run.json`` and then its renderers, as a run folder does;
    they are moved into place with the folder that holds them.
    """
    for name, (tables, info) in folders.items():
        folder = staging / parent / name
        folder.mkdir(parents=True)
        _fill(folder, tables, info, renderers)


def _fill(folder: Path, tables: dict[str, pd.DataFrame], info: dict[str, Any],
          renderers: Sequence[Callable[[Path], Any]]) -> None:
    """Tables, then ``run.json`` for the renderers to read, then its seal over every file."""
    write_tables(folder, tables)
    (folder / RUN_JSON).write_text(json.dumps(info, indent=2, default=str) + "\n",
                                   encoding="utf-8")
    for render in renderers:
        render(folder)
    ownership.write_record(folder, info)


def is_complete(folder: Path) -> bool:
    """Whether a folder holds a finished run (folders are moved into place only when whole).

    A hidden staging folder (``.NAME.partial-*``) a killed run left is never one.
    """
    if folder.name.startswith(".") and ownership.PARTIAL in folder.name:
        return False
    return (folder / SUMMARY_CSV).is_file() and (folder / RUN_JSON).is_file()


@dataclass(frozen=True)
class RunFolder:
    """The tables and record of one run, as read from its folder.

    ``monthly`` and ``delays`` are None for a folder written before those tables existed.
    """

    folder: Path
    summary: pd.DataFrame
    monthly: pd.DataFrame | None
    delays: pd.DataFrame | None
    info: dict[str, Any]

    @property
    def scenario(self) -> dict[str, Any]:
        """The scenario the results come from.

        An optimisation run's chosen plan in place (``plan_scenario``), otherwise the
        resolved scenario recorded in ``run.json``.
        """
        return self.info.get("plan_scenario") or self.info.get("scenario", {})

    @property
    def states(self) -> list[str]:
        """State codes in the order of ``summary.csv``."""
        scopes = dict.fromkeys(self.summary["scope"])
        return [scope for scope in scopes if scope != NATIONAL]

    def state_name(self, code: str) -> str:
        """The state's name from the scenario, or its code if the scenario lacks it."""
        return str(self.scenario.get("states", {}).get(code, {}).get("name", code))

    def row(self, scope: str, metric: str) -> tuple[float, float, float, str]:
        """``(mean, ci_low, ci_high, unit)`` of a metric; NaNs when the table lacks it."""
        match = self.summary[(self.summary["scope"] == scope)
                             & (self.summary["metric"] == metric)]
        if match.empty:
            return (math.nan, math.nan, math.nan, "")
        first = match.iloc[0]
        unit = "" if pd.isna(first["unit"]) else str(first["unit"])
        return (float(first["mean"]), float(first["ci_low"]), float(first["ci_high"]), unit)

    def estimate(self, scope: str, metric: str, with_unit: bool = True) -> str:
        """A metric formatted as ``mean [low, high] unit``."""
        mean, low, high, unit = self.row(scope, metric)
        return format_estimate(mean, low, high, unit, with_unit=with_unit)


def read_run_folder(folder: Path) -> RunFolder:
    """Read a run folder's tables and ``run.json``.

    Parameters
    ----------
    folder : Path
        A folder written by ``run_scenario.py``.

    Returns
    -------
    RunFolder
        The tables; ``monthly`` and ``delays`` are None if their files are absent.

    Raises
    ------
    FileNotFoundError
        If ``summary.csv`` or ``run.json`` is missing, since nothing can be reported without them.
    """
    folder = Path(folder)
    for required in (SUMMARY_CSV, RUN_JSON):
        if not (folder / required).is_file():
            raise FileNotFoundError(
                f"{folder / required} is missing: {folder} is not a complete run folder "
                "(run run_scenario.py with --out to make one)"
            )

    def optional(name: str) -> pd.DataFrame | None:
        path = folder / name
        # Month labels must stay text ("2024-01"), not be parsed as numbers or dates.
        return pd.read_csv(path, dtype={"month": str}) if path.is_file() else None

    return RunFolder(
        folder=folder,
        summary=pd.read_csv(folder / SUMMARY_CSV),
        monthly=optional(MONTHLY_CSV),
        delays=optional(DELAYS_CSV),
        info=json.loads((folder / RUN_JSON).read_text(encoding="utf-8")),
    )


# ---------------------------------------------------------------------------------------
# Readers of the folders of analyses: comparison, calibration, sensitivity
# ---------------------------------------------------------------------------------------

"""Columns of ``paired_diff.csv``: ``option_a`` minus ``option_b``, paired by replication."""


def _require(folder: Path, names: Sequence[str], kind: str, command: str) -> None:
    """Refuse, with a reason, a folder that lacks a file its report cannot do without."""
    for name in names:
        if not (folder / name).is_file():
            raise FileNotFoundError(f"{folder / name} is missing: {folder} is not a complete "
                                    f"{kind} folder (run run_scenario.py {command} to make one)")


def _read_record(folder: Path) -> dict[str, Any]:
    return json.loads((folder / RUN_JSON).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class ComparisonFolder:
    """The tables and record of one comparison of options, as read from its folder."""

    folder: Path
    comparison: pd.DataFrame
    paired: pd.DataFrame
    info: dict[str, Any]

    @property
    def options(self) -> list[str]:
        """The options in the order the command named them, else as ``comparison.csv`` has them."""
        listed = [str(o) for o in self.info.get("options") or []]
        return listed or [str(o) for o in dict.fromkeys(self.comparison["option"])]


def read_comparison_folder(folder: Path) -> ComparisonFolder:
    """Read ``comparison.csv``, ``paired_diff.csv`` and ``run.json`` of a comparison folder.

    Parameters
    ----------
    folder : Path
        A folder written by ``run_scenario.py`` given several scenarios.

    Returns
    -------
    ComparisonFolder
        The tables; ``paired`` is empty (with its columns) when ``paired_diff.csv`` is
        absent, as for a single option, so no differences are stated.

    Raises
    ------
    FileNotFoundError
        If ``comparison.csv`` or ``run.json`` is missing.
    """
    folder = Path(folder)
    _require(folder, (COMPARISON_CSV, RUN_JSON), "comparison", "with two or more scenarios")
    paired_path = folder / PAIRED_DIFF_CSV
    paired = (pd.read_csv(paired_path) if paired_path.is_file()
              else pd.DataFrame(columns=PAIRED_COLUMNS))
    return ComparisonFolder(folder, pd.read_csv(folder / COMPARISON_CSV), paired,
                            _read_record(folder))


@dataclass(frozen=True)
class CalibrationFolder:
    """The tables and record of one calibration of rival hypotheses, as read from its folder.

    ``hypotheses`` holds each hypothesis's fit to the published targets (rows with a
    ``published`` figure) and the yearly downloads and raids it implies (rows without);
    ``fitted`` the plausible ranges of its free parameters; ``discriminators`` the figure
    that best tells each pair apart; ``design_points`` every point searched; ``checks``
    the analytic checks (``hypothesis`` empty) and each hypothesis's behavioural checks;
    ``yearly`` each hypothesis's ``hypotheses/NAME/yearly.csv``.  An optional table the
    folder lacks is None (a hypothesis without its subfolder maps to None) and its file
    is named in ``absent``.
    """

    folder: Path
    hypotheses: pd.DataFrame
    fitted: pd.DataFrame | None
    discriminators: pd.DataFrame | None
    design_points: pd.DataFrame | None
    checks: pd.DataFrame | None
    yearly: dict[str, pd.DataFrame | None]
    info: dict[str, Any]
    absent: tuple[str, ...] = ()

    @property
    def scenario(self) -> dict[str, Any]:
        """The history scenario as recorded in ``run.json``."""
        return self.info.get("scenario", {})

    @property
    def calibration(self) -> dict[str, Any]:
        """The scenario's ``calibration`` section: targets, hypotheses, design settings."""
        return self.scenario.get("calibration") or {}

    @property
    def names(self) -> list[str]:
        """The hypotheses in the order ``run.json`` lists them, then any others of the tables."""
        listed = [str(name) for name in self.info.get("hypotheses") or []]
        found = [str(name) for name in dict.fromkeys(self.hypotheses["hypothesis"])]
        return listed + [name for name in found if name not in listed]


def read_calibration_folder(folder: Path) -> CalibrationFolder:
    """Read the tables of a calibration folder, its hypotheses' yearly tables and ``run.json``.

    Parameters
    ----------
    folder : Path
        A folder written by ``run_scenario.py calibrate``.

    Returns
    -------
    CalibrationFolder
        ``hypotheses.csv`` (``year`` as a nullable integer, ``within_tolerance`` True,
        False or None), the optional ``fitted_parameters.csv``, ``discriminators.csv``,
        ``design_points.csv`` and ``checks.csv`` (``hypothesis`` empty for the analytic
        checks), each hypothesis's ``yearly.csv``, and the record.

    Raises
    ------
    FileNotFoundError
        If ``hypotheses.csv`` or ``run.json`` is missing, since nothing can be shown
        without them.
    """
    folder = Path(folder)
    _require(folder, (HYPOTHESES_CSV, RUN_JSON), "calibration", "calibrate")
    absent: list[str] = []

    def optional(path: Path, **options: Any) -> pd.DataFrame | None:
        if path.is_file():
            return pd.read_csv(path, **options)
        absent.append(str(path.relative_to(folder)))
        return None

    hypotheses = pd.read_csv(folder / HYPOTHESES_CSV, dtype={"year": "Int64"})
    verdicts = {True: True, False: False, "True": True, "False": False}
    hypotheses["within_tolerance"] = [verdicts.get(value) for value in
                                      hypotheses["within_tolerance"]]
    checks = optional(folder / CHECKS_CSV, dtype={"hypothesis": str, "expected": str})
    if checks is not None:  # the analytic checks belong to no hypothesis: an empty cell
        checks["hypothesis"] = checks["hypothesis"].fillna("")
    run = CalibrationFolder(folder, hypotheses, optional(folder / FITTED_PARAMETERS_CSV),
                            optional(folder / DISCRIMINATORS_CSV),
                            optional(folder / DESIGN_POINTS_CSV), checks, {},
                            _read_record(folder))
    yearly = {name: optional(folder / HYPOTHESES_FOLDER / name / YEARLY_CSV)
              for name in run.names}
    return CalibrationFolder(**{**vars(run), "yearly": yearly, "absent": tuple(absent)})


@dataclass(frozen=True)
class SensitivityFolder:
    """The ranked table and record of one sensitivity analysis, as read from its folder."""

    folder: Path
    sensitivity: pd.DataFrame
    info: dict[str, Any]

    @property
    def scenario(self) -> dict[str, Any]:
        """The scenario whose assumptions were moved, as recorded in ``run.json``."""
        return self.info.get("scenario", {})


def read_sensitivity_folder(folder: Path) -> SensitivityFolder:
    """Read ``sensitivity.csv`` (most influential assumption first) and ``run.json``.

    Parameters
    ----------
    folder : Path
        A folder written by ``run_scenario.py sensitivity``.

    Returns
    -------
    SensitivityFolder
        The table, in the order written, and the record.

    Raises
    ------
    FileNotFoundError
        If ``sensitivity.csv`` or ``run.json`` is missing.
    """
    folder = Path(folder)
    _require(folder, (SENSITIVITY_CSV, RUN_JSON), "sensitivity", "sensitivity")
    return SensitivityFolder(folder, pd.read_csv(folder / SENSITIVITY_CSV), _read_record(folder))


# ---------------------------------------------------------------------------------------
# An optimisation's tables beside its plan: budget, frontier, binding constraints, and how
# it was chosen (candidates, certificate, regret)
# ---------------------------------------------------------------------------------------


def _optional_table(folder: Path, name: str, columns: Sequence[str]) -> pd.DataFrame | None:
    """A table of ``folder``, or None if absent or written before it had ``columns``."""
    path = Path(folder) / name
    if not path.is_file():
        return None
    frame = pd.read_csv(path)
    return frame if set(columns) <= set(frame.columns) else None


def _optional_rows(folder: Path, name: str, columns: Sequence[str]) -> pd.DataFrame | None:
    """A table like :func:`_optional_table`; an empty file is an empty table of ``columns``.

    An optimisation writes a table it has nothing for as an empty file (no header).
    """
    path = Path(folder) / name
    if path.is_file() and not path.read_text(encoding="utf-8").strip():
        return pd.DataFrame(columns=list(columns))
    return _optional_table(folder, name, columns)


def read_candidates(folder: Path) -> pd.DataFrame | None:
    """An optimisation's ``candidates.csv`` (:data:`CANDIDATE_COLUMNS`); None if absent.

    ``source`` and ``note`` read as text (an empty cell as ""), ``eliminated_at`` as a
    nullable integer.
    """
    frame = _optional_rows(folder, CANDIDATES_CSV, CANDIDATE_COLUMNS)
    if frame is None:
        return None
    for column in ("candidate", "source", "note"):
        frame[column] = frame[column].fillna("").astype(str)
    frame["eliminated_at"] = pd.to_numeric(frame["eliminated_at"]).astype("Int64")
    return frame


def read_certificate(folder: Path) -> pd.DataFrame | None:
    """An optimisation's ``certificate.csv`` (:data:`CERTIFICATE_COLUMNS`) in its order.

    Returns
    -------
    pd.DataFrame or None
        ``passed`` as a boolean, ``value`` and ``threshold`` as floats (NaN where empty);
        empty in reverse mode (no certificate); None for a folder without the file.
    """
    frame = _optional_rows(folder, CERTIFICATE_CSV, CERTIFICATE_COLUMNS)
    if frame is None:
        return None
    frame["passed"] = [str(value).strip().lower() in ("true", "1", "1.0")
                       for value in frame["passed"]]
    for column in ("value", "threshold"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["note"] = frame["note"].fillna("").astype(str)
    frame["check"] = frame["check"].astype(str)
    return frame


def read_regret(folder: Path) -> pd.DataFrame | None:
    """An optimisation's ``regret.csv`` (:data:`REGRET_COLUMNS`); None if absent."""
    frame = _optional_rows(folder, REGRET_CSV, REGRET_COLUMNS)
    if frame is None:
        return None
    for column in ("candidate", "hypothesis", "demand"):
        frame[column] = frame[column].astype(str)
    return frame


def read_budget(folder: Path) -> pd.DataFrame | None:
    """An optimisation's ``budget.csv`` (:data:`BUDGET_COLUMNS`), horizon years first.

    Returns
    -------
    pd.DataFrame or None
        ``beyond_horizon`` read as a boolean; None for a folder without the file (a
        scenario run, or an optimisation written before budgets had two parts).
    """
    frame = _optional_table(folder, BUDGET_CSV, BUDGET_COLUMNS)
    if frame is None:
        return None
    frame["beyond_horizon"] = [str(value).strip().lower() in ("true", "1", "1.0")
                               for value in frame["beyond_horizon"]]
    frame["year"] = frame["year"].astype(int)
    return frame.sort_values(["beyond_horizon", "year"], kind="stable").reset_index(drop=True)


def read_frontier(folder: Path) -> pd.DataFrame | None:
    """An optimisation's ``frontier.csv`` (:data:`FRONTIER_COLUMNS`); None if absent."""
    return _optional_table(folder, FRONTIER_CSV, FRONTIER_COLUMNS)


def read_binding(folder: Path) -> pd.DataFrame | None:
    """An optimisation's ``binding.csv`` (:data:`BINDING_COLUMNS`), largest shadow value first.

    None if the folder has no such file.
    """
    frame = _optional_table(folder, BINDING_CSV, BINDING_COLUMNS)
    if frame is None:
        return None
    order = frame["shadow_value"].abs().fillna(-1.0)
    return frame.assign(_order=order).sort_values("_order", ascending=False, kind="stable") \
        .drop(columns="_order").reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Utilisation: busy, blocked and idle shares of on-duty time
# ---------------------------------------------------------------------------------------


def read_utilisation(folder: Path) -> pd.DataFrame | None:
    """A run folder's ``utilisation.csv``, or None for a folder written before it existed.

    Parameters
    ----------
    folder : Path
        A folder written by ``run_scenario.py``.

    Returns
    -------
    pd.DataFrame or None
        ``scope, group`` and the busy, blocked and idle shares with their intervals
        (``model.metrics.UTILISATION_COLUMNS``); None if the file is absent.
    """
    path = Path(folder) / UTILISATION_CSV
    return pd.read_csv(path) if path.is_file() else None
