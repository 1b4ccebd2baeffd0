"""Write a run's result tables into its folder, all or nothing.

The files are written into a hidden temporary folder beside the destination
and moved into place only when every one is complete, so an interrupted or
failed run never leaves a folder that looks whole.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

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
        (staging / "run.json").write_text(json.dumps(run_info, indent=2, default=str) + "\n",
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
