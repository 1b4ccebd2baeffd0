"""report.html of an optimisation: how the plan was chosen, its certificate and its regret.

A synthetic run folder with the files an optimisation writes since the selection was
rebuilt (``candidates.csv``, ``certificate.csv``, ``regret.csv``, ``run.json``'s plan
record); :func:`write_choice_files` also serves the proposal's tests.
"""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from reports import choice
from reports.choice_report import check_threshold, check_value
from reports.run_folder import read_candidates, read_certificate, read_regret
from reports.run_report import render_run_report

TODAY_MEAN = 600.0
"""The status quo's raids in every case of the regret table."""
CASES = [(hypothesis, demand) for hypothesis in ("line-capacity", "staff-conversion")
         for demand in ("low", "central", "high")]
FINALISTS = ("next_best_1", "surrogate_best", "pilot_1")
REGRET_MEANS = {  # variant: finalist -> raids in each case of CASES
    "passed": {"next_best_1": [1300, 1290, 1310, 1250, 1260, 1270],
               "surrogate_best": [1280, 1270, 1300, 1290, 1250, 1260],
               "pilot_1": [1200, 1190, 1210, 1150, 1160, 1170]},
    "robust": {"next_best_1": [1300, 1290, 1310, 1000, 1260, 1270],
               "surrogate_best": [1280, 1270, 1300, 1240, 1250, 1260],
               "pilot_1": [1200, 1190, 1210, 1150, 1160, 1170]},
    "failed": {"next_best_1": [700, 1290, 1310, 590, 1260, 1270],
               "surrogate_best": [590, 1270, 1300, 700, 1250, 1260],
               "pilot_1": [550] * 6},
}
PROMISED_RAIDS = 1350.0
SIMULATED_RAIDS = 1283.0  # summary.csv's national raids in the proposal's fixture
MOST_ROBUST = {"name": "most_robust", "total_posts": 21,
               "posts": {"PLS.officers": 3, "PLS.lower_ranks": 1, "SGR.officers": 6,
                         "SGR.lower_ranks": 0, "hq.download_team.officers": 1,
                         "hq.download_team.lower_ranks": 0, "hq.forensic_team.officers": 10,
                         "hq.forensic_team.lower_ranks": 0},
               "line_mbps": 1000.0, "tooling": {"hash_matching": 1}}


def regret_frame(variant: str) -> pd.DataFrame:
    """regret.csv, its shares computed from the means as the definition says."""
    means = REGRET_MEANS[variant]
    rows = []
    for number, (hypothesis, demand) in enumerate(CASES):
        best = max(means[name][number] for name in FINALISTS)
        for name in FINALISTS:
            mean = float(means[name][number])
            shortfall, gain = best - mean, mean - TODAY_MEAN
            of_gain = shortfall / gain if gain > 0 else (0.0 if shortfall <= 0 else math.inf)
            rows.append({"candidate": name, "hypothesis": hypothesis, "demand": demand,
                         "objective_mean": mean, "ci_low": mean - 20, "ci_high": mean + 20,
                         "regret_share": shortfall / best, "regret_of_gain": of_gain})
    return pd.DataFrame(rows)


def candidates_frame() -> pd.DataFrame:
    rows = [("surrogate_best", "surrogate (corrected by the pilots)", 20, 1270.0, 20, ""),
            ("next_best_1", "surrogate (corrected by the pilots)", 30, 1290.0, None, "chosen"),
            ("next_best_2", "surrogate (corrected by the pilots)", 12, 1100.0, 12, ""),
            ("pilot_1", "pilot round", 30, 1180.0, None, ""),
            ("three_to_four_per_state", "named plan", 5, 900.0, 5,
             "a service level missed in the first stage"),
            ("move_PLS_officers_to_SGR_officers", "neighbour of surrogate_best", 20, 1200.0,
             20, "")]
    return pd.DataFrame([{"candidate": name, "source": source, "replications": reps,
                          "objective_mean": mean, "ci_low": mean - 30, "ci_high": mean + 30,
                          "eliminated_at": out, "promised": PROMISED_RAIDS, "note": note}
                         for name, source, reps, mean, out, note in rows])


def certificate_frame(variant: str) -> pd.DataFrame:
    """certificate.csv: every check passes, or (``failed``) three of them fail."""
    failed = variant == "failed"
    worst = {"passed": 40 / 650, "robust": 240 / 400, "failed": math.inf}[variant]
    rows = [
        ("probability_of_correct_selection", math.nan if failed else 0.95, 0.95, not failed,
         "KN with common random numbers"),
        ("indifference_zone", 25.66, 0.02, True, "2% of the best first-stage mean"),
        ("best_neighbour_improvement_bound", 12.3, 25.66, True, "simultaneous 95% bound"),
        ("surrogate_gap", (SIMULATED_RAIDS - PROMISED_RAIDS) / PROMISED_RAIDS, 0.1, True,
         "(simulated - promised) / promised"),
        ("service_level:downloaded.national", 60_000.0, 56_245.5, not failed,
         "paired 95 % interval of plan minus floor [-120.0, +7,400.0]"),
        ("service_level:high_risk_examined_within_target.national", 4_000.0, 3_500.0, True,
         "paired 95 % interval of plan minus floor [+300.0, +700.0]"),
        ("worst_regret", worst, 0.1, worst <= 0.1,
         "under staff-conversion with low demand, surrogate_best gives 110 more (inf% of "
         "this plan's gain over today's allocation there)"),
    ]
    return pd.DataFrame(rows, columns=["check", "value", "threshold", "passed", "note"])


def write_choice_files(folder: Path, variant: str = "passed") -> Path:
    """Add candidates, certificate and regret to an optimisation folder, and the plan record.

    ``variant``: ``passed`` (every check passes), ``robust`` (the worst regret fails and
    another finalist is more robust) or ``failed`` (three checks fail, nothing more robust).
    """
    candidates_frame().to_csv(folder / "candidates.csv", index=False)
    certificate = certificate_frame(variant)
    certificate.to_csv(folder / "certificate.csv", index=False)
    regret_frame(variant).to_csv(folder / "regret.csv", index=False)
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    failed = [str(c) for c, ok in zip(certificate.check, certificate.passed, strict=True)
              if not ok]
    run["plan"] |= {"surrogate_objective": PROMISED_RAIDS, "objective": {"raids": 1.0},
                    "fresh_replications": [100_000, 100_009],
                    "certificate": {"passed": not failed, "failed": failed},
                    "most_robust": MOST_ROBUST if variant == "robust" else None,
                    "depends_on": "" if variant == "passed" else "under staff-conversion ...",
                    "target": None, "seconds": {"certify": 10.0, "regret": 5.0}}
    run["scenario"].setdefault("optimise", {}).update(
        selection={"probability": 0.95, "indifference_share": 0.02,
                   "surrogate_gap_share": 0.1, "worst_regret_share": 0.1},
        procedure={"max_replications": 30, "regret_replications": 4})
    (folder / "run.json").write_text(json.dumps(run), encoding="utf-8")
    return folder


def write_optimisation_folder(folder: Path, variant: str = "passed") -> Path:
    """A small optimisation folder: national raids and downloads, and the choice files."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [{"scope": scope, "metric": metric, "unit": unit, "mean": mean * share,
             "ci_low": mean * share * 0.95, "ci_high": mean * share * 1.05}
            for scope, share in (("national", 1.0), ("SGR", 0.5))
            for metric, unit, mean in (("tipoffs_received", "tip-offs", 100_000.0),
                                       ("downloaded", "tip-offs", 60_000.0),
                                       ("raids", "raids", SIMULATED_RAIDS))]
    pd.DataFrame(rows).to_csv(folder / "summary.csv", index=False)
    run = {"scenario": {"name": "optimise_test", "start_date": "2024-01-01",
                        "end_date": "2026-12-31", "states": {"SGR": {"name": "Selangor"}}},
           "seed": 5, "replications": 10, "plan": {"status": "optimal"}}
    (folder / "run.json").write_text(json.dumps(run), encoding="utf-8")
    return write_choice_files(folder, variant)


def _page(folder: Path) -> str:
    return html.unescape(re.sub(r"\s+", " ", render_run_report(folder).read_text("utf-8")))


def _section(page: str, heading: str) -> str:
    start = page.index(f"<h2>{heading}</h2>")
    return page[start:page.index("</section>", start)]


def test_the_readers_read_the_choice_files_and_none_for_an_older_folder(tmp_path: Path) -> None:
    folder = write_optimisation_folder(tmp_path / "run", "failed")
    certificate = read_certificate(folder)
    assert certificate is not None and certificate["passed"].dtype == bool
    assert math.isnan(certificate["value"].iloc[0]) and math.isinf(certificate["value"].iloc[-1])
    candidates = read_candidates(folder)
    assert candidates is not None and choice.chosen_candidate(candidates) == "next_best_1"
    assert candidates["eliminated_at"].isna().sum() == 2
    regret = read_regret(folder)
    assert regret is not None and len(regret) == len(CASES) * len(FINALISTS)
    (folder / "certificate.csv").write_text("\n")  # reverse mode writes no rows
    empty = read_certificate(folder)
    assert empty is not None and empty.empty and list(empty.columns)[0] == "check"
    for name in ("candidates.csv", "certificate.csv", "regret.csv"):
        (folder / name).unlink()
    assert read_candidates(folder) is read_certificate(folder) is read_regret(folder) is None


def test_worst_regrets_follow_the_definition(tmp_path: Path) -> None:
    worst = choice.worst_regrets(regret_frame("robust"))
    chosen = worst["next_best_1"]
    assert (chosen.hypothesis, chosen.demand, chosen.leader) == ("staff-conversion", "low",
                                                                  "surrogate_best")
    assert chosen.shortfall == 240 and chosen.regret_of_gain == pytest.approx(0.6)
    assert choice.most_robust(worst) == "surrogate_best"
    failed = choice.worst_regrets(regret_frame("failed"))
    assert math.isinf(failed["next_best_1"].regret_of_gain)
    assert choice.most_robust(failed) == "next_best_1"  # every worst is infinite: by name


def test_the_report_shows_the_certificate_and_the_regret(tmp_path: Path) -> None:
    page = _page(write_optimisation_folder(tmp_path / "run", "failed"))
    section = _section(page, "How the plan was chosen")
    assert "6 candidates" in section and "chose next_best_1 after 112 replications" in section
    assert ("Certificate: NOT passed; failed: probability_of_correct_selection, "
            "service_level:downloaded.national, worst_regret.") in section
    certificate = section[section.index("<h3>Certificate</h3>"):]
    assert "not guaranteed: replication cap reached" in certificate
    assert "at least 56,246 (whole paired interval)" in certificate and "60,000" in certificate
    assert "-5.0 %" in certificate and "within ±10 %" in certificate
    assert "no gain over the status quo to share it with" in certificate
    assert "inf" not in re.sub(r"<[^>]*>", "", certificate).lower().replace("finalist", "")
    assert "56245.5" not in section and "25.66" not in section
    assert ("The chosen plan's worst case: under staff-conversion with low demand, "
            "surrogate_best gives 110 more raids, where the chosen plan gains nothing over "
            "the status quo.") in section
    assert "behind by" in section and "The finalist with the smallest worst regret" not in page


def test_the_report_shows_the_most_robust_finalist_when_set(tmp_path: Path) -> None:
    section = _section(_page(write_optimisation_folder(tmp_path / "run", "robust")),
                       "How the plan was chosen")
    assert "Certificate: NOT passed; failed: worst_regret." in section
    robust = section[section.index("The finalist with the smallest worst regret"):]
    assert "1000 Mbps" in robust and "hash_matching" in robust and ">21<" in robust
    assert "<td>Tools</td><td>none</td><td>hash_matching</td>" in robust
    assert ("surrogate_best gives 240 more raids, 60.0 % of the chosen plan's gain over the "
            "status quo there") in section


def test_a_scenario_run_has_no_section_on_the_choice(tmp_path: Path) -> None:
    folder = write_optimisation_folder(tmp_path / "run")
    for name in ("candidates.csv", "certificate.csv", "regret.csv"):
        (folder / name).unlink()
    assert "How the plan was chosen" not in _page(folder)


def test_no_text_says_stable_or_rounds(tmp_path: Path) -> None:
    for variant in REGRET_MEANS:
        page = _page(write_optimisation_folder(tmp_path / variant, variant)).lower()
        assert "stable" not in page and "rounds" not in page


@pytest.mark.parametrize(("bound", "zone", "value", "threshold"), [
    (23.72, 23.84, "23.7 raids", "at most 23.8 raids"),  # alike when rounded: one decimal
    (22.79, 24.16, "23 raids", "at most 24 raids"),
])
def test_a_neighbour_bound_near_the_zone_is_told_from_it(
        bound: float, zone: float, value: str, threshold: str) -> None:
    """23.7 against 23.8 passes; shown as 24 against 24 it would read as a tie."""
    check = choice.Check("best_neighbour_improvement_bound", "", "", bound, zone, True, "")
    assert check_value(check, "raids") == value
    assert check_threshold(check, "raids") == threshold
