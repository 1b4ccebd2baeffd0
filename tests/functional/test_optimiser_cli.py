"""The optimiser from the command line: conflicts explained with numbers, a run's files.

Split from ``test_optimiser.py`` so that the two share the test workers (pytest-xdist
gives each file to one worker).
"""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest

from model.metrics import PAIRED_COLUMNS, VERDICTS
from model.schema_base import STATE_CODES
from model.tables import OPTIMISATION_TABLES, PLAN
from solvers.binding import BINDING_COLUMNS
from solvers.budget import BUDGET_COLUMNS
from solvers.plan import PLAN_COLUMNS
from tests.conftest import ROOT


def run_cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "run_scenario.py", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)


def test_too_many_posts_per_state_is_explained_with_numbers(tmp_path) -> None:
    """The issue's example: 14 states x 5 posts = 70 > 56 posts, exit 3, no traceback."""
    done = run_cli("scenarios/optimise_rm13m.yaml", "--set", "optimise.min_posts_per_state=5",
                   "--set", "optimise.max_total_posts=56", "--out", tmp_path / "out")
    assert done.returncode == 3
    assert "> 56 posts (optimise.max_total_posts)" in done.stderr
    assert "the states' minimums add up to 68 posts" in done.stderr  # Selangor's own minimum
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_budget_too_small_for_the_minimum_posts_is_explained(tmp_path) -> None:
    """Minimum posts that need new posts beyond the budget are refused with the sums."""
    done = run_cli("scenarios/optimise_rm13m.yaml", "--set", "optimise.min_posts_per_state=5",
                   "--set", "optimise.max_posts_per_state=6", "--set",
                   "optimise.max_total_posts=100", "--set",
                   "optimise.budget={one_off_rm: 100000, annual_rm: 100000}",
                   "--out", tmp_path / "out")
    assert done.returncode == 3
    assert "new posts" in done.stderr and "optimise.budget.one_off_rm" in done.stderr


def test_conflict_only_the_solver_sees_is_named(tmp_path) -> None:
    """All officers required while HQ lower ranks are fixed: the solver's core names both."""
    done = run_cli("scenarios/optimise_rm13m.yaml", "--set", "optimise.min_officer_share=1.0",
                   "--set", "optimise.bounds={'posts_download_team_lower_ranks.hq': {min: 2}}",
                   "--out", tmp_path / "out")
    assert done.returncode == 3, done.stderr
    assert "officers' share" in done.stderr and "bounds set on levers" in done.stderr


@pytest.fixture(scope="module")
def small_optimisation(tmp_path_factory):
    out = tmp_path_factory.mktemp("opt") / "plan"
    done = run_cli("scenarios/optimise_rm13m.yaml", "--set", "initial_state=null",
                   "--set", "end_date=2024-06-30",
                   "--set", "arrivals.referrals_per_year.2023=30000",
                   "--set", "optimise.procedure={rounds: 1, replications: 4, "
                   "deterministic_time_limit: 1, candidates: 5, next_best: 1, "
                   "max_replications: 8, neighbours: 2, neighbour_replications: 3, "
                   "finalists: 2, regret_replications: 2}",
                   "--set", "optimise.selection.indifference_share=0.1",
                   "--replications", "3", "--seed", "5", "--quiet", "--out", out)
    assert done.returncode == 0, done.stderr
    return out, done.stdout


def test_every_declared_table_is_written_with_its_declared_columns(small_optimisation
                                                                    ) -> None:
    """model.tables declares each optimisation table once; the run writes each as declared.

    plan.csv adds a ``cost_<year>_rm`` column per year after the declared ones.
    """
    out, _ = small_optimisation
    for table in OPTIMISATION_TABLES:
        columns = list(pd.read_csv(out / table.file, nrows=0).columns)
        if table is PLAN:
            assert columns[:len(table.columns)] == table.column_list
            assert all(re.fullmatch(r"cost_\d{4}_rm", c) for c in columns[len(table.columns):])
        else:
            assert columns == table.column_list, table.file
    assert {table.file for table in OPTIMISATION_TABLES} <= {p.name for p in out.iterdir()}


def test_optimise_run_writes_plan_budget_binding_frontier(small_optimisation) -> None:
    """An optimisation writes plan, budget, binding and frontier files.

    plan.csv within the budget and bounds; paired comparisons against status quo, the
    rule and the head's proposal.
    """
    out, stdout = small_optimisation
    plan = pd.read_csv(out / "plan.csv")
    assert list(plan.columns) == [*PLAN_COLUMNS, "cost_2024_rm"]
    posts = plan[plan.lever.str.startswith("posts") & (plan.unit == "posts")
                 & ~plan.lever.str.contains("new|moved")]
    assert posts.quantity.sum() <= 156
    for code in STATE_CODES:
        assert 3 <= posts[posts.scope == code].quantity.sum() <= (6 if code == "SGR" else 4)
    assert plan.one_off_rm.sum() <= 13_000_000
    paired = pd.read_csv(out / "paired_diff.csv")
    assert list(paired.columns) == PAIRED_COLUMNS
    assert set(paired.verdict) <= set(VERDICTS)
    assert set(paired.option_b) == {"status_quo", "three_to_four_per_state", "head_proposal"}
    budget = pd.read_csv(out / "budget.csv")
    assert list(budget.columns) == BUDGET_COLUMNS and budget.beyond_horizon.any()
    assert list(pd.read_csv(out / "binding.csv").columns) == BINDING_COLUMNS
    frontier = pd.read_csv(out / "frontier.csv")
    assert frontier.point.nunique() >= 5
    assert {"raids", "downloaded", "cost_rm"} == set(frontier.outcome)
    import json
    info = json.loads((out / "run.json").read_text())
    assert info["plan"]["budget"]["one_off_rm"] == 13_000_000
    assert info["plan"]["objective"] == {"raids": 1.0}
    assert len(info["plan"]["service_levels"]) == 2
    certificate = pd.read_csv(out / "certificate.csv")
    assert set(certificate.columns) >= {"check", "value", "threshold", "passed"}
    regret = pd.read_csv(out / "regret.csv")
    assert regret.hypothesis.nunique() == 6  # every shipped hypothesis
    assert "not stable" not in stdout and "certified" in stdout
