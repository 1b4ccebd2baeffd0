"""Tip-offs already in the pipeline: read a starting state, or take one from a run's end.

A state is a table of counts by state contingent, stage and age band
(``state, stage, age_days_low, age_days_high, count``).  A run writes its end
state as ``end_state.csv`` (mean over replications, rounded); another scenario
can start from it, so that a forecast starts from the backlog history left.
The loader reads the file once, in the client, and the scenario carries its rows
(``InitialState.counts``) to wherever a replication runs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from model.engine.ledger import Outcome, Stage
from model.scenario import InitialCount, InitialState, Scenario
from model.schema_base import STATE_CODES

COLUMNS = ["state", "stage", "age_days_low", "age_days_high", "count"]
AGE_EDGES_DAYS = (0.0, 30.0, 90.0, 180.0, 365.0, 730.0, 1460.0)
"""Age bands of an end state; older tip-offs are put in the last band."""
STAGE_NAMES = {stage: stage.name.lower() for stage in Stage}


class InitialStateError(ValueError):
    """A starting-state file that cannot be used; the message says why."""


def read_initial_state(path: Path) -> pd.DataFrame:
    """Read and check a starting-state CSV."""
    if not path.is_file():
        raise InitialStateError(f"initial_state.from_file: {path} does not exist")
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as error:
        raise InitialStateError(f"initial_state.from_file: {path} is not a CSV ({error})") from None
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise InitialStateError(
            f"initial_state.from_file: {path} lacks column(s) {', '.join(missing)}; "
            f"expected {', '.join(COLUMNS)}"
        )
    unknown_states = sorted(set(frame.state) - set(STATE_CODES))
    if unknown_states:
        raise InitialStateError(f"initial_state.from_file: unknown state code(s) {unknown_states}")
    unknown_stages = sorted(set(frame.stage) - set(STAGE_NAMES.values()))
    if unknown_stages:
        raise InitialStateError(
            f"initial_state.from_file: unknown stage(s) {unknown_stages}; valid: "
            + ", ".join(STAGE_NAMES.values())
        )
    if (frame["count"] < 0).any() or (frame.age_days_low >= frame.age_days_high).any():
        raise InitialStateError(
            "initial_state.from_file: counts must be >= 0 and age_days_low < age_days_high"
        )
    return frame[COLUMNS]


def initial_state_frame(initial_state: InitialState) -> pd.DataFrame:
    """The rows of a starting state as a frame with ``COLUMNS``.

    The rows the scenario carries; a scenario made in code with only ``from_file``
    (``counts`` None) reads the file, so it must be readable where this runs.
    """
    if initial_state.counts is None:
        return read_initial_state(Path(initial_state.from_file))
    frame = pd.DataFrame([(row.state, row.stage, row.age_days_low, row.age_days_high, row.count)
                          for row in initial_state.counts], columns=COLUMNS)
    return frame.astype({"age_days_low": float, "age_days_high": float, "count": float})


def carrying_initial_state(scenario: Scenario) -> Scenario:
    """The scenario carrying its starting state's rows, read (and checked) from its file if not yet.

    Raises
    ------
    InitialStateError
        If the file has to be read and cannot be used; the message says why.
    """
    initial = scenario.initial_state
    if initial is None or initial.counts is not None:
        return scenario
    frame = read_initial_state(Path(initial.from_file))
    counts = tuple(InitialCount(state=str(row.state), stage=str(row.stage),
                                age_days_low=float(row.age_days_low),
                                age_days_high=float(row.age_days_high), count=float(row.count))
                   for row in frame.itertuples(index=False))
    return scenario.model_copy(update={"initial_state": initial.model_copy(
        update={"counts": counts})})


def initial_tipoffs(frame: pd.DataFrame, age_offset_days: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrival days (negative: before the start), state indices and stages of a starting state.

    Ages are spread uniformly within each band, then aged by the gap between
    the run that left them and this scenario's start.
    """
    stage_of = {name: stage for stage, name in STAGE_NAMES.items()}
    index_of = {code: number for number, code in enumerate(STATE_CODES)}
    days, states, stages = [], [], []
    for row in frame.itertuples(index=False):
        count = int(round(row.count))
        ages = rng.uniform(row.age_days_low, row.age_days_high, size=count) + age_offset_days
        days.append(-ages)
        states.append(np.full(count, index_of[row.state], dtype=np.int8))
        stages.append(np.full(count, stage_of[row.stage], dtype=np.int8))
    if not days:
        return np.empty(0), np.empty(0, dtype=np.int8), np.empty(0, dtype=np.int8)
    return np.concatenate(days), np.concatenate(states), np.concatenate(stages)


def end_state_counts(arrival_day: np.ndarray, state: np.ndarray, stage_at_start: np.ndarray,
                     selected_day: np.ndarray, reviewed_day: np.ndarray,
                     investigated_day: np.ndarray, outcome: np.ndarray,
                     horizon_day: float) -> pd.DataFrame:
    """Counts of tip-offs still in the pipeline at the end, by state, stage and age band."""
    inside = outcome == Outcome.IN_SYSTEM
    stage = stage_at_start.astype(np.int8, copy=True)
    stage[np.isfinite(selected_day)] = Stage.AWAITING_REVIEW
    stage[np.isfinite(reviewed_day)] = Stage.AWAITING_INVESTIGATION
    stage[np.isfinite(investigated_day)] = Stage.AWAITING_RAID
    stage = np.maximum(stage, stage_at_start)
    age = np.clip(horizon_day - arrival_day, 0.0, AGE_EDGES_DAYS[-1] - 1e-9)
    band = np.searchsorted(AGE_EDGES_DAYS, age, side="right") - 1
    rows = []
    bands = len(AGE_EDGES_DAYS) - 1
    key = (state[inside].astype(np.int64) * len(Stage) + stage[inside]) * bands + band[inside]
    counts = np.bincount(key, minlength=len(STATE_CODES) * len(Stage) * bands)
    for flat in np.flatnonzero(counts):
        code, rest = divmod(int(flat), len(Stage) * bands)
        stage_number, band_number = divmod(rest, bands)
        rows.append((STATE_CODES[code], STAGE_NAMES[Stage(stage_number)],
                     AGE_EDGES_DAYS[band_number], AGE_EDGES_DAYS[band_number + 1],
                     float(counts[flat])))
    return pd.DataFrame(rows, columns=COLUMNS)
