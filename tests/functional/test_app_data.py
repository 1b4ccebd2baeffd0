"""The leadership page without a browser: what each action on it gives.

Folders read as options, levers as overrides with the command line's messages, paired
differences by the one rule, the queue and the cache, the exports.

The callbacks are plain functions of the page's state (``app.callbacks``), so what a leader
sees after each action is checked here directly, on tiny folders the command line writes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("dash", reason='the page\'s packages: pip install -e ".[test]"')

from dash import no_update  # noqa: E402

from app import callbacks  # noqa: E402 (after the skip: the page needs Dash)
from app.catalogue import Catalogue, answer_key, option_scenario  # noqa: E402
from app.exports import Exports  # noqa: E402
from app.folders import FolderError, folder_options  # noqa: E402
from app.levers import LINE, Moves, check, lever_values, moves  # noqa: E402
from app.limits import Limits  # noqa: E402
from app.runner import Runner, Settings  # noqa: E402
from app.tables import pairing, side_by_side, write_comparison  # noqa: E402
from app.views import outcomes_table  # noqa: E402
from model.loading import load_scenario  # noqa: E402
from model.metrics import PAIRED_COLUMNS  # noqa: E402
from model.runs.provenance import scenario_sha256  # noqa: E402
from tests.conftest import ROOT  # noqa: E402

TINY = ("--set", "end_date=2024-02-29", "--replications", "3", "--seed", "2024")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "run_scenario.py", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two runs (today, three to four per state) and their comparison, by the command line."""
    root = tmp_path_factory.mktemp("page")
    made = {"today": root / "today", "rule": root / "rule", "compared": root / "compared"}
    for name, scenario in (("today", "status_quo"), ("rule", "three_to_four_per_state")):
        done = cli("run", f"scenarios/{scenario}.yaml", *TINY, "--quiet",
                   "--out", str(made[name]))
        assert done.returncode == 0, done.stderr
    done = cli("compare", "scenarios/status_quo.yaml", "scenarios/three_to_four_per_state.yaml",
               *TINY, "--quiet", "--out", str(made["compared"]))
    assert done.returncode == 0, done.stderr
    return made


def page_over(paths: list[Path], cache: Path, limits: Limits | None = None) -> callbacks.Page:
    catalogue = Catalogue(cache)
    catalogue.load(paths)
    limits = limits or Limits()
    return callbacks.Page(catalogue, Runner(catalogue, Settings(workers=2), limits),
                          Exports(cache / "exports", limits.export_bytes, catalogue.roots()))


def test_folders_become_options(folders: dict[str, Path], tmp_path: Path) -> None:
    """A run is one option; a comparison one per scenario; a stranger folder is refused."""
    [today] = folder_options(folders["today"])
    assert today.key == "today" and today.count == 3 and today.seed == 2024
    assert today.numbers == (0, 1, 2) and today.scenario["name"] == "status_quo"
    compared = folder_options(folders["compared"])
    assert [o.key for o in compared] == ["compared: status_quo",
                                         "compared: three_to_four_per_state"]
    assert compared[0].replications is None and compared[0].scenario is not None
    with pytest.raises(FolderError, match="not a folder"):
        folder_options(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FolderError, match="has no run.json"):
        folder_options(tmp_path / "empty")


def test_an_optimisation_shows_its_plan_costs_certificate_and_alternatives(
        folders: dict[str, Path], tmp_path: Path) -> None:
    """The plan (its scenario without the optimise section) and each option_<name>.csv."""
    folder = tmp_path / "opt"
    shutil.copytree(folders["today"], folder)
    info = json.loads((folder / "run.json").read_text())
    info["plan_scenario"] = {**info["scenario"], "optimise": {"anything": 1}}
    info["plan"] = {"status": "optimal"}
    (folder / "run.json").write_text(json.dumps(info))
    shutil.copyfile(folder / "summary.csv", folder / "option_status_quo.csv")
    pd.DataFrame({"lever": ["posts_new_officers_salary", "bandwidth_mbps"],
                  "scope": ["SGR", "hq"], "one_off_rm": [30000.0, 5000.0],
                  "recurring_rm_per_year": [110000.0, 41544.0],
                  "cost_rm": [140000.0, 46544.0]}).to_csv(folder / "plan.csv", index=False)
    pd.DataFrame({"check": ["surrogate_gap"], "value": [0.05], "threshold": [0.1],
                  "passed": [True], "note": ["within"]}).to_csv(folder / "certificate.csv",
                                                                 index=False)
    plan, alternative = folder_options(folder)
    assert plan.kind == "optimised plan" and plan.scenario["optimise"] is None
    assert alternative.key == "opt: status_quo" and alternative.scenario is None
    assert callbacks.views.money([plan]).children[0].children[1].children[0].children[1] \
        .children == "RM35,000"
    page = page_over([folder], tmp_path / "cache")
    assert "surrogate_gap" in str(callbacks.views.choice(page.catalogue.options()))
    assert "none of the options shown is an optimisation" in callbacks.export_proposal(
        page, ["opt: optimised"])[1]


def test_every_lever_field_reads_back_what_the_scenario_holds(folders: dict[str, Path]) -> None:
    """Fields start at the option's values, and fields left alone make no override."""
    [rule] = folder_options(folders["rule"])
    values = lever_values(rule.scenario)
    assert values["states.SGR.officers.posts"] == "2"
    assert values[LINE] == "" and values["tooling.risk_scoring"] == "false"
    assert moves(values, rule.scenario) == Moves()
    more = moves({**values, "states.PLS.officers.posts": "3", LINE: "500"}, rule.scenario)
    assert more.overrides == ("states.PLS.officers.posts=3", "download.line_mbps=500")
    # PLS's one officer is filled already (filled_at_start 1): the two new posts start
    # vacant because the scenario says so; a state without filled_at_start gets it set
    [today] = folder_options(folders["today"])
    vacant = moves({**lever_values(today.scenario), "states.SGR.officers.posts": "3"},
                   today.scenario)
    assert vacant.overrides == ("states.SGR.officers.posts=3",
                                "states.SGR.officers.filled_at_start=1")


@pytest.mark.parametrize("sets", [
    ("states.SGR.officers.posts=-1",),
    ("states.KDH.campaigns_per_year=many",),
    ("tooling.workstations=-2",),
    ("states.SGR.officers.posts=1", "states.SGR.officers.filled_at_start=2"),
])
def test_bad_values_get_the_command_lines_message(folders: dict[str, Path],
                                                   sets: tuple[str, ...]) -> None:
    """Out of range, not a number, a contradiction: the CLI's line, beside the field."""
    [today] = folder_options(folders["today"])
    asked = Moves(sets, {text: text.split("=")[0] for text in sets})
    checked = check(option_scenario(today), asked)
    assert checked.scenario is None and not checked.general
    refused = cli("run", "scenarios/status_quo.yaml", *TINY,
                  *[part for text in sets for part in ("--set", text)], "--quiet")
    assert refused.returncode == 2
    for lines in checked.problems.values():
        for line in lines:
            assert f"  - {line}\n" in refused.stderr + "\n", (line, refused.stderr)
    assert set(checked.problems) <= {text.split("=")[0] for text in sets}


def test_paired_differences_are_the_compare_commands(folders: dict[str, Path],
                                                      tmp_path: Path) -> None:
    """Two runs with one seed pair as `compare` pairs them; a folder's pair reads both ways."""
    [today], [rule] = folder_options(folders["today"]), folder_options(folders["rule"])
    found = pairing(rule, today)
    assert found.rows is not None and "paired over 3 replications" in found.how
    expected = pd.read_csv(folders["compared"] / "paired_diff.csv")
    numbers = [c for c in PAIRED_COLUMNS if c not in ("option_a", "option_b", "metric",
                                                      "verdict")]
    got = found.rows.set_index("metric").loc[expected["metric"]]
    assert (got["verdict"].to_numpy() == expected["verdict"].to_numpy()).all()
    pd.testing.assert_frame_equal(got[numbers].reset_index(drop=True).astype(float),
                                  expected[numbers].astype(float), rtol=1e-12)
    before, after = folder_options(folders["compared"])
    flipped = pairing(before, after)  # the folder compared after - before: read the other way
    assert flipped.rows is not None and "as compared in compared" in flipped.how
    row = flipped.rows.set_index("metric").loc["downloaded"]
    original = expected.set_index("metric").loc["downloaded"]
    assert row["mean_diff"] == -original["mean_diff"]
    assert row["adjusted_ci_low"] == -original["adjusted_ci_high"]
    assert "seeds differ" in pairing(today, today.__class__(**{**vars(rule), "seed": 7})).how


def test_a_lever_runs_once_in_the_queue_then_answers_from_the_cache(
        folders: dict[str, Path], tmp_path: Path) -> None:
    """Not cached: queued and run; asked again (by anyone): answered at once, same option."""
    page = page_over([folders["today"], folders["rule"]], tmp_path / "cache")
    values = lever_values(page.catalogue.get("today").scenario)
    values[LINE] = "100"
    first = callbacks.ask(page, "today", values, "2", True, ["today"])
    assert first.job is not None and "number 1 in the queue" in first.message
    job = page.runner.job(first.job)
    deadline = time.monotonic() + 300
    while job.state in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert job.state == "done", job.message
    # the session that asked is told once; the answer is added to what it shows
    polled = callbacks.poll(page, -1, [], ["today"])
    assert polled[6] == ["today", "today · line 100 Mbps"] and polled[7] == [first.job]
    later = callbacks.poll(page, polled[4], polled[7], polled[6])
    assert later[6] is no_update and later[7] is no_update and later[8] is no_update
    again = callbacks.ask(page, "today", values, "2", True, [])
    assert again.job is None and again.message.startswith("Answered from the cache")
    assert again.shown == ["today · line 100 Mbps"]
    option = page.catalogue.get("today · line 100 Mbps")
    assert option.count == 2 and option.overrides == ("download.line_mbps=100",)
    scenario = option_scenario(option)
    assert page.catalogue.cached(answer_key(scenario)) == option.folder
    wrong = callbacks.ask(page, "today", {**values, "states.SGR.officers.posts": "-1"},
                          "0", True, [])
    assert wrong.replications_error == "--replications: must be at least 1 (got 0)"


def test_exports_are_the_command_lines_files(folders: dict[str, Path], tmp_path: Path) -> None:
    """CSV as comparison.csv; the comparison page; each option's YAML runs as it is."""
    page = page_over([folders["today"], folders["rule"]], tmp_path / "cache")
    shown = ["today", "rule"]
    csv = callbacks.export_csv(page, shown)
    table = pd.read_csv(pd.io.common.StringIO(csv["content"]))
    assert list(table.columns) == ["option", "scope", "metric", "unit", "mean", "ci_low",
                                   "ci_high"] and set(table.option) == set(shown)
    html = write_comparison(tmp_path / "compared", page.catalogue.options(),
                            page.catalogue.get("today"))
    assert html.is_file() and "rule" in html.read_text(encoding="utf-8")
    paired = pd.read_csv(tmp_path / "compared" / "paired_diff.csv")
    assert set(paired.option_a) == {"rule"} and set(paired.option_b) == {"today"}
    text = callbacks.export_yaml(page, "rule")[0]["content"]
    (tmp_path / "rule.yaml").write_text(text, encoding="utf-8")
    again = load_scenario(tmp_path / "rule.yaml")
    assert scenario_sha256(again) == scenario_sha256(option_scenario(page.catalogue.get("rule")))


def _cells(component: object) -> list[object]:
    """Every component under ``component`` that carries a figure (``data-metric``)."""
    found = [component] if getattr(component, "data-metric", None) else []
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str):
            found += _cells(child)
    return found


def test_the_outcomes_table_carries_every_figure_exactly(folders: dict[str, Path]) -> None:
    """Each cell's data-mean is summary.csv's value; the key outcomes come first."""
    [today] = folder_options(folders["today"])
    cells = {getattr(c, "data-metric"): c for c in _cells(outcomes_table([today]))}
    summary = side_by_side([today], "national")
    assert set(cells) == set(summary.metric)
    for row in summary.itertuples():
        assert float(getattr(cells[row.metric], "data-mean")) == float(row.mean)
        assert float(getattr(cells[row.metric], "data-ci-high")) == float(row.ci_high)
    order = list(cells)
    assert order.index("raids") < order.index("tipoffs_received")


def test_serve_refuses_a_folder_it_cannot_show(tmp_path: Path) -> None:
    """Exit 2 and the reason, before listening."""
    done = cli("serve", str(tmp_path / "nothing"), "--port", "0", "--cache", str(tmp_path))
    assert done.returncode == 2 and "is not a folder" in done.stderr
    assert "Traceback" not in done.stderr


def test_runs_wait_in_one_queue_one_at_a_time(tmp_path: Path) -> None:
    """However many leaders ask at once, one run works at a time; the others wait in order."""
    runner = Runner(Catalogue(tmp_path), Settings(workers=2))
    running, most, lock = [0], [0], threading.Lock()
    release = threading.Event()

    def work(job: object) -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        release.wait(timeout=30)
        with lock:
            running[0] -= 1

    jobs = [runner.submit(f"run {n}", 1, work, key=f"k{n}") for n in range(5)]
    assert runner.submit("same", 1, work, key="k3") is jobs[3]  # asked twice, queued once
    time.sleep(0.3)
    assert [runner.position(job) for job in jobs] == [0, 1, 2, 3, 4]
    release.set()
    deadline = time.monotonic() + 30
    while any(job.state != "done" for job in jobs) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [job.state for job in jobs] == ["done"] * 5 and most[0] == 1


def test_the_cache_built_in_the_background_answers_common_moves(
        folders: dict[str, Path], tmp_path: Path) -> None:
    """Build the cache: a post more or fewer in each state and rank, each line tier."""
    page = page_over([folders["today"]], tmp_path / "cache")
    message, number = callbacks.build(page, "today", "1")
    assert message.startswith("Building the cache from today") and number is not None
    job = page.runner.job(number)
    deadline = time.monotonic() + 300
    while job.state in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert job.state == "done" and job.done == job.total, job.message
    values = lever_values(page.catalogue.get("today").scenario)
    for path, text in (("states.SGR.officers.posts", "2"), ("states.PLS.officers.posts", "0"),
                       (LINE, "10000")):
        asked = callbacks.ask(page, "today", {**values, path: text}, "1", True, [])
        assert asked.job is None and asked.message.startswith("Answered from the cache"), path
    again = callbacks.build(page, "today", "1")
    assert page.runner.job(again[1]).total == 0  # everything cached: nothing to run
