"""The README's worked example of one's own scenario runs as written, and the line it buys.

The YAML block and the compare command are read from README.md ("Writing your own
scenario"), so the text a planner copies is the text tested.  The example's file goes
where the README says to save it, in a copy of ``scenarios/`` (its ``extends`` chain, the
calibrated files and the starting backlogs), and the compare runs on a short horizon.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.experiments.replications import run_replications
from model.loading import load_scenario
from model.metrics import NATIONAL, WHOLE_HORIZON
from solvers.plan import Plan, apply_plan, current_posts

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SHORT = ["--set", "end_date=2024-03-31"]  # a quarter: enough for the line to show
EXAMPLE_NAME = "my_scenario"


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """``(language, text)`` of every fenced code block of a Markdown text, in order."""
    blocks: list[tuple[str, str]] = []
    language, lines = None, []
    for line in text.splitlines(keepends=True):
        fence = re.fullmatch(r"```(\w*)\s*", line)
        if fence and language is None:
            language, lines = fence.group(1), []
        elif fence:
            blocks.append((language, "".join(lines)))
            language = None
        elif language is not None:
            lines.append(line)
    return blocks


def readme_block(language: str, must_hold: str) -> str:
    """The one fenced block of README.md in ``language`` whose text holds ``must_hold``."""
    blocks = fenced_blocks(README.read_text(encoding="utf-8"))
    found = [body for kind, body in blocks if kind == language and must_hold in body]
    assert len(found) == 1, f"{len(found)} README blocks hold {must_hold!r}"
    return found[0]


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's compare command, run on its example in a copy of scenarios/."""
    folder = tmp_path_factory.mktemp("own_scenario")
    shutil.copytree(ROOT / "scenarios", folder / "scenarios")
    example = readme_block("yaml", f"name: {EXAMPLE_NAME}")
    (folder / "scenarios" / f"{EXAMPLE_NAME}.yaml").write_text(example, encoding="utf-8")
    command = shlex.split(readme_block("", f"scenarios/{EXAMPLE_NAME}.yaml").strip())
    assert command[:3] == ["python", "run_scenario.py", "compare"], command
    out = folder / "out"
    result = subprocess.run(
        [sys.executable, str(ROOT / "run_scenario.py"), *command[2:], *SHORT,
         "--workers", "2", "--quiet", "--out", str(out)],
        cwd=folder, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return out


def test_the_example_s_posts_and_line_take_effect(compared: Path) -> None:
    """run.json records Selangor's six posts (two filled) and the 500 Mbps line, status quo not."""
    scenarios = json.loads((compared / "run.json").read_text(encoding="utf-8"))["scenarios"]
    mine, today = scenarios[EXAMPLE_NAME], scenarios["status_quo"]
    for rank in ("officers", "lower_ranks"):
        assert mine["states"]["SGR"][rank]["posts"] == 3
        assert mine["states"]["SGR"][rank]["filled_at_start"] == 1
        assert today["states"]["SGR"][rank]["posts"] == 1
    assert mine["download"]["line_mbps"] == 500
    assert today["download"].get("line_mbps") is None
    assert mine["download"]["bandwidth_mbps"] == today["download"]["bandwidth_mbps"]
    assert mine["hypothesis"] == today["hypothesis"] == "line-capacity"
    unchanged = {"states", "download", "name", "description"}
    assert {k: v for k, v in mine.items() if k not in unchanged} == {
        k: v for k, v in today.items() if k not in unchanged}


def test_the_example_downloads_more_than_status_quo(compared: Path) -> None:
    """Under line-capacity (status_quo's hypothesis) the bought line downloads far more."""
    table = pd.read_csv(compared / "comparison.csv")
    downloaded = table[(table.scope == NATIONAL) & (table.metric == "downloaded")]
    mean = downloaded.set_index("option")["mean"]
    assert mean[EXAMPLE_NAME] > 2 * mean["status_quo"]


def national_downloads(overrides: list[str]) -> np.ndarray:
    """Tip-offs downloaded in each of three replications of a quarter of status_quo."""
    scenario = load_scenario(ROOT / "scenarios" / "status_quo.yaml",
                             ["end_date=2024-03-31", *overrides])
    metrics = run_replications(scenario, 3, workers=2).metrics
    rows = metrics[(metrics.metric == "downloaded") & (metrics.scope == NATIONAL)
                   & (metrics.year == WHOLE_HORIZON)].sort_values("replication")
    return rows.value.to_numpy()


def test_a_line_downloads_more_only_where_the_line_held_downloads_down() -> None:
    """``download.line_mbps=500`` against today's line, with common random numbers.

    Under ``line-capacity`` every replication downloads more; under ``staff-capacity``
    (the download team's time, not the line, held downloads down) none downloads more.
    """
    line = ["download.line_mbps=500"]
    today = national_downloads(["hypothesis=line-capacity"])
    bought = national_downloads(["hypothesis=line-capacity", *line])
    assert (bought > 2 * today).all(), (today, bought)
    today = national_downloads(["hypothesis=staff-capacity"])
    bought = national_downloads(["hypothesis=staff-capacity", *line])
    assert (bought <= today).all(), (today, bought)


def test_a_line_the_optimiser_buys_is_written_as_the_contracted_line() -> None:
    """apply_plan puts a bought tier in ``download.line_mbps``, keeping today's estimate."""
    scenario = load_scenario(ROOT / "scenarios" / "optimise_rm13m.yaml", ["initial_state=null"])
    assert scenario.optimise is not None
    tier = scenario.optimise.bandwidth_tiers[1]
    applied = apply_plan(scenario, Plan("line", dict(current_posts(scenario)),
                                        bandwidth_tier=tier))
    assert applied.download.line_mbps == tier.mbps
    assert applied.download.bandwidth_mbps == scenario.download.bandwidth_mbps
    assert applied.download.evidence_mbps == pytest.approx(
        max(scenario.download.bandwidth_mbps.value,
            tier.mbps * scenario.download.evidence_share.value))
