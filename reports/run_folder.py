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

from model.metrics import NATIONAL
from reports.formatting import format_estimate

# Every file a command writes into a result folder, named once.
SUMMARY_CSV = "summary.csv"
YEARLY_CSV = "yearly.csv"
REPLICATIONS_CSV = "replications.csv"
MONTHLY_CSV = "monthly.csv"
DELAYS_CSV = "delays.csv"
END_STATE_CSV = "end_state.csv"
RUN_JSON = "run.json"
REPORT_HTML = "report.html"
PLAN_CSV = "plan.csv"
PAIRED_DIFF_CSV = "paired_diff.csv"
ROUNDS_CSV = "rounds.csv"
MARGINAL_CSV = "marginal.csv"
COMPARISON_CSV = "comparison.csv"
COMPARISON_HTML = "comparison.html"
FIT_CSV = "fit.csv"
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
                 END_STATE_CSV)
"""The tables every scenario run writes, in the order ``reproduce`` compares them."""


def option_csv(option: str) -> str:
    """The summary file of an alternative an optimisation compared its plan with."""
    return f"option_{option}.csv"


SUMMARY_COLUMNS = ["scope", "metric", "unit", "mean", "ci_low", "ci_high"]
YEARLY_COLUMNS = ["year", *SUMMARY_COLUMNS]
REPLICATION_COLUMNS = ["replication", "scope", "metric", "value"]


class OutputError(Exception):
    """The run folder cannot be written; the message says why and what to do."""


def check_destination(out: Path, force: bool) -> None:
    """Refuse, before any work, a destination that would lose another run or cannot be written."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file, not a folder; choose another path")
    if out.exists() and any(out.iterdir()) and not force:
        raise OutputError(
            f"--out {out} already holds another run; choose a new folder or add --force "
            "to replace it"
        )
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


def write_run_folder(out: Path, tables: dict[str, pd.DataFrame], run_info: dict[str, Any],
                     force: bool = False,
                     renderers: Sequence[Callable[[Path], Any]] = ()) -> Path:
    """Write ``tables`` (file name -> frame) and ``run.json`` into ``out`` atomically.

    Each renderer is then called with the staging folder (holding the tables)
    to add its own files, such as a report, before the folder is moved into place.
    """
    check_destination(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a run folder is not
    try:
        for name, frame in tables.items():
            frame.to_csv(staging / name, index=False)
        (staging / RUN_JSON).write_text(json.dumps(run_info, indent=2, default=str) + "\n",
                                          encoding="utf-8")
        for render in renderers:
            render(staging)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """``summary.csv``: one row per scope and metric over the whole horizon."""
    return summary[SUMMARY_COLUMNS]


def yearly_table(yearly: pd.DataFrame) -> pd.DataFrame:
    """``yearly.csv``: the summary with a leading year column."""
    return yearly[YEARLY_COLUMNS]


def replications_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """``replications.csv``: each replication's raw value, for paired comparisons."""
    return metrics[REPLICATION_COLUMNS]


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
