"""The proposal says how the plan was chosen: candidates, procedure, certificate, regret.

The proposal's synthetic optimisation folder (``test_proposal_terms``) with the files the
rebuilt optimiser writes (``test_run_report_choice.write_choice_files``): a certificate
that passes, one that fails three checks, one whose worst regret fails with a more robust
finalist beside it, and reverse mode.  Both languages, and the workbook's sheet.
"""

from __future__ import annotations

import json
import re
import shutil
import string
from pathlib import Path

import pandas as pd
import pytest

openpyxl = pytest.importorskip("openpyxl")

from reports import choice  # noqa: E402
from reports.formatting import format_percent  # noqa: E402
from reports.proposal import compose_paper, read_proposal_data, render_proposal  # noqa: E402
from reports.proposal import wording_choice as wc  # noqa: E402
from reports.proposal.choice import candidate_words  # noqa: E402
from solvers.candidates import RUNG_SOURCE, rung_name  # noqa: E402
from tests.unit.test_proposal_terms import write_new_folder  # noqa: E402
from tests.unit.test_run_report_choice import write_choice_files  # noqa: E402

VARIANTS = ("passed", "failed", "robust")


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("choice")
    return {variant: write_choice_files(write_new_folder(root / variant), variant)
            for variant in VARIANTS}


def _text(folder: Path, language: str = "en") -> str:
    lines = compose_paper(read_proposal_data(folder), language).text_lines()
    return re.sub(r"\s+", " ", " ".join(lines))


def _part(text: str, language: str = "en") -> str:
    """The part "How the plan was chosen", up to the table of outcomes."""
    start = text.index("How the plan was chosen" if language == "en"
                       else "Bagaimana pelan ini dipilih")
    end = text.index("Expected outcomes over" if language == "en" else "Hasil jangkaan",
                     start)
    return text[start:end]


def test_a_failed_certificate_names_every_failed_check(folders: dict[str, Path]) -> None:
    part = _part(_text(folders["failed"]))
    sentence = part[part.index("The plan is not certified"):]
    assert sentence.startswith(
        "The plan is not certified: it failed the probability that the best plan was chosen "
        "(the procedure reached its limit of replications before it could tell the finalists "
        "apart), the service level on evidence downloaded (national) and the worst regret")
    assert "not a proven best one" in sentence
    assert "not guaranteed (replication limit reached first)" in part
    assert "none to share: no gain over today in its worst case" in part
    assert part.count(" failed ") >= 3 and " passed " in part
    ms = _part(_text(folders["failed"], "ms"), "ms")
    assert "Pelan ini tidak diperakui: ia gagal dalam kebarangkalian pelan terbaik dipilih" in ms
    assert "tahap perkhidmatan bagi bahan bukti dimuat turun (nasional)" in ms


def test_a_passed_certificate_says_so(folders: dict[str, Path]) -> None:
    part = _part(_text(folders["passed"]))
    assert "The plan passed every check of its certificate." in part
    assert "not certified" not in part and " failed" not in part
    assert "Pelan ini lulus setiap semakan dalam sijilnya." in _text(folders["passed"], "ms")
    assert ("That is within the threshold of 10 %: the choice does not depend on which "
            "explanation holds.") in part


def test_the_candidates_the_procedure_and_fresh_replications_are_stated(
        folders: dict[str, Path]) -> None:
    part = _part(_text(folders["passed"]))
    assert ("The optimiser proposed 6 candidate plans: 3 from its simplified model of the work, "
            "corrected by pilot runs in the simulation, 1 tried in those pilot runs, 1 set by a "
            "rule (three to four posts per state) and 1 made by one change to the model's best "
            "plan.") in part
    assert ("1 of them missed a service level in the first 5 replications and left the "
            "selection.") in part
    assert ("The simulation chose among 5 of them by a ranking-and-selection procedure (KN, "
            "Kim and Nelson 2001) with common random numbers") in part
    assert ("with probability at least 95 % whenever it beats the others by at least 26 raids "
            "(the indifference zone, 2 % of the best mean)") in part
    assert "It ran 112 replications in all." in part
    assert ("Every figure in this paper comes from 10 fresh replications (numbers 100,000 to "
            "100,009), never used for choosing") in part


def test_the_promise_is_the_certificates_on_the_objective(folders: dict[str, Path]) -> None:
    """Raids promised against raids simulated: the surrogate gap, not actioned tip-offs."""
    part = _part(_text(folders["passed"]))
    assert ("The optimiser's simplified model promised 1,350 raids for this plan; the "
            "simulation gives 1,283 [1,219, 1,347], 5.0 % less.") in part
    assert "actioned" not in part
    row = part[part.index("The simplified model's promise against the simulation"):]
    assert row.startswith("The simplified model's promise against the simulation -5.0 % "
                          "within ±10 % passed")


def test_every_value_reads_as_a_count_or_a_percentage(folders: dict[str, Path]) -> None:
    for variant, folder in folders.items():
        part = _part(_text(folder))
        assert "56,246" in part and "56245.5" not in part, variant
        assert "25.66" not in part and "0.95" not in part and "0.1 " not in part, variant
        assert not re.search(r"\binf\b|\bnan\b", part, flags=re.IGNORECASE), variant


def test_the_most_robust_finalist_is_shown_beside_the_plan(folders: dict[str, Path]) -> None:
    part = _part(_text(folders["robust"]))
    assert ("This plan's worst case is the explanation 'staff-conversion' (downloads held down "
            "by the download team's triage time, raids by how few tip-offs become workable "
            "cases) with low demand: there the model's best plan gives 240 more raids, beyond "
            "noise 60.0 % of this plan's gain over today's allocation there.") in part
    assert ("The finalist with the smallest worst regret is another plan, the model's best "
            "plan (worst regret 3.0 %)") in part
    assert "Which to prefer depends on which explanation the planner believes" in part
    table = part[part.index("This plan beside the finalist with the smallest worst regret"):]
    assert table.startswith("This plan beside the finalist with the smallest worst regret "
                            "This plan Most robust finalist Posts in all 17 21")  # 17 as Table 1
    assert "Selangor (SGR): officer posts 4 6" in table
    assert "HQ forensic team: officer posts 8 10" in table
    assert "HQ internet line 500 Mbps 1,000 Mbps" in table
    assert "Tools none hash-matching software for review" in table
    for variant in ("passed", "failed"):
        assert "This plan beside the finalist" not in _text(folders[variant])


def test_the_regret_table_gives_each_finalists_worst(folders: dict[str, Path]) -> None:
    part = _part(_text(folders["failed"]))
    assert ("The 3 finalists were simulated again under each of the 2 explanations that fit "
            "the unit's history and at low, central and high growth of tip-offs, 4 "
            "replications each.") in part
    table = part[part.index("Each finalist's worst regret across explanations and demand"):]
    assert ("This plan staff-conversion, low demand 110 no gain over today there "
            "The model's best plan line-capacity, low demand 110 no gain over today there "
            "Pilot plan 1 line-capacity, low demand 150 no gain over today there") in table
    assert ("no other finalist has a smaller worst regret: the choice depends on which "
            "explanation holds") in part


def test_reverse_mode_prints_the_target_sentence(tmp_path: Path) -> None:
    folder = write_new_folder(tmp_path / "reverse")
    sentence = ("target 3,000 actioned: the surrogate's cheapest plan (RM2,093,239) gives "
                "2,543 [2,492, 2,594] in the simulation, 457 short (15%); none of the 2 plans "
                "tried reached it")
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    run["plan"] |= {"target": {"metric": "actioned", "value": 3000.0, "reached": False,
                               "sentence": sentence}, "fresh_replications": [100_000, 100_009],
                    "certificate": {"passed": None, "failed": []}, "most_robust": None,
                    "depends_on": ""}
    (folder / "run.json").write_text(json.dumps(run), encoding="utf-8")
    (folder / "certificate.csv").write_text("\n", encoding="utf-8")
    (folder / "candidates.csv").write_text(
        "candidate,source,replications,objective_mean,ci_low,ci_high,eliminated_at,promised,"
        "note\ncheapest_1,\"cheapest plan for 3,000\",10,2543.1,2492.2,2594.0,,3100.0,falls "
        "short\n", encoding="utf-8")
    text = _text(folder)
    assert f"As the run records it: {sentence}." in text
    assert "cheapest 1 3,100 2,543 [2,492, 2,594] falls short" in text
    assert "certified" not in text
    assert sentence in _text(folder, "ms")


def test_no_text_says_stable_or_rounds_in_either_language(folders: dict[str, Path]) -> None:
    for folder in folders.values():
        for language in ("en", "ms"):
            text = _text(folder, language).lower()
            assert "stable" not in text and "rounds" not in text and "pusingan" not in text


def test_both_languages_carry_the_same_numbers(folders: dict[str, Path]) -> None:
    """Every number of the paper (not its page footers: Malay may take a page more)."""
    for folder in folders.values():
        data = read_proposal_data(folder)
        numbers = {language: sorted(re.findall(r"\d[\d,.]*\d|\d", " ".join(
            compose_paper(data, language).lines))) for language in ("en", "ms")}
        assert numbers["en"] == numbers["ms"]


def test_every_choice_phrase_has_both_languages_with_the_same_fields() -> None:
    from reports.proposal import wording, wording_choice

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    phrases = [value for value in vars(wording_choice).values()
               if isinstance(value, wording.Phrase)]
    for table in (wording_choice.SOURCES, wording_choice.CHECKS, wording_choice.FAILED_NAMES,
                  wording_choice.DEMANDS, wording_choice.HYPOTHESIS_PARTS,
                  wording_choice.CANDIDATE_NAMES, wording_choice.TARGET_RESULTS):
        phrases += list(table.values())
    assert len(phrases) > 60
    for phrase in phrases:
        assert phrase.en.strip() and phrase.ms.strip()
        assert fields(phrase.en) == fields(phrase.ms), phrase


def test_the_workbook_has_a_certificate_sheet(folders: dict[str, Path], tmp_path: Path) -> None:
    book_path = render_proposal(folders["failed"], "en", tmp_path)[1]
    sheet = openpyxl.load_workbook(book_path)["Certificate"]
    rows = [row for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ("Code", "Check", "Value")
    worst = next(row for row in rows if row[0] == "worst_regret")
    assert worst[2] == "none to share: no gain over today in its worst case"
    assert worst[3] is None and worst[5] == "failed"  # no infinite number in a cell
    gap = next(row for row in rows if row[0] == "surrogate_gap")
    assert gap[3] == pytest.approx(-67 / 1350)
    assert any(str(row[0]).startswith("The plan is not certified") for row in rows)


NEIGHBOUR = "move_PLS_officers_to_SGR_officers_of_pilot_2"


def _kn_chose_another(folder: Path) -> Path:
    """The passed folder as when KN's best was a neighbour and a cheaper equal was chosen.

    The model's best plan, cheaper still, was set aside for its worst regret.
    """
    notes = {"next_best_1": f"chosen: cheaper than {NEIGHBOUR} (within the indifference zone)",
             "surrogate_best": "within the indifference zone of the selection's best, set "
                               "aside: its worst regret is 29% of its gain",
             NEIGHBOUR: "best by the selection; another plan within the indifference zone "
                        "was chosen"}
    candidates = pd.read_csv(folder / "candidates.csv")
    candidates.loc[candidates["candidate"] == "pilot_1", "source"] = "neighbour of pilot_2"
    candidates["candidate"] = candidates["candidate"].replace({"pilot_1": NEIGHBOUR})
    for name, note in notes.items():
        candidates.loc[candidates["candidate"] == name, "note"] = note
    candidates.to_csv(folder / "candidates.csv", index=False)
    regret = pd.read_csv(folder / "regret.csv")
    regret["candidate"] = regret["candidate"].replace({"pilot_1": NEIGHBOUR})
    regret.to_csv(folder / "regret.csv", index=False)
    return folder


def test_kns_own_best_and_a_plan_set_aside_are_named_in_words(
        folders: dict[str, Path], tmp_path: Path) -> None:
    folder = _kn_chose_another(Path(shutil.copytree(folders["passed"], tmp_path / "other")))
    text = _text(folder)
    part = _part(text)
    assert NEIGHBOUR not in text and NEIGHBOUR not in _text(folder, "ms")
    assert ("The procedure's own best was a plan one change from pilot plan 2. This plan falls "
            "short of it by less than the indifference zone") in part
    assert "this plan was chosen because it costs less" in part
    assert "The selection's best, a plan one change from pilot plan 2" in part  # regret table
    worst = choice.worst_regrets(pd.read_csv(folder / "regret.csv"))["surrogate_best"]
    assert worst.behind
    share = re.sub(r"\s+", " ", format_percent(worst.regret_of_gain))
    assert ("The model's best plan costs less again and was shown equal too, but was set "
            "aside: its worst regret (") in part
    assert f") is {share} of its gain over today" in part
    ms = _part(_text(folder, "ms"), "ms")
    assert "Pilihan terbaik prosedur itu sendiri ialah pelan yang berbeza satu perubahan" in ms


def test_a_frontier_plan_equal_on_the_objective_with_more_of_the_other_is_pointed_out(
        folders: dict[str, Path], tmp_path: Path) -> None:
    folder = Path(shutil.copytree(folders["passed"], tmp_path / "frontier"))
    data = read_proposal_data(folder)
    summary = pd.read_csv(folder / "summary.csv")
    national = summary[summary["scope"] == "national"].set_index("metric")["mean"]
    y = "high_risk_examined_within_target"
    zone = 25.66  # the certificate's indifference zone (test_run_report_choice)
    points = [(1, national["raids"] - zone / 2, 3 * national[y], data.total_rm + 500_000),
              (2, national["raids"] - 3 * zone, 5 * national[y], data.total_rm),  # fewer raids
              (3, national["raids"], national[y], data.total_rm - 1)]  # no more of y
    rows = [{"point": n, "plan": f"frontier {n}", "outcome": outcome, "unit": "x",
             "mean": mean, "ci_low": mean * 0.99, "ci_high": mean * 1.01}
            for n, raids, more, cost in points
            for outcome, mean in (("raids", raids), (y, more), ("cost_rm", cost))]
    pd.DataFrame(rows).to_csv(folder / "frontier.csv", index=False)
    text = _text(folder)
    assert (f"Frontier point 1 gives as many raids as this plan, within the indifference zone "
            f"({national['raids'] - zone / 2:,.0f} against {national['raids']:,.0f}), and 3.0 "
            "times its high-risk tip-offs examined within target") in text
    assert "for RM500,000 more. The objective counts only raids" in text
    assert "Frontier point 2" not in text and "Frontier point 3" not in text
    assert "Titik sempadan 1 memberikan serbuan sebanyak pelan ini" in _text(folder, "ms")
    # none clearly ahead on the other outcome: nothing is said
    pd.DataFrame([r for r in rows if r["point"] == 3]).to_csv(folder / "frontier.csv",
                                                              index=False)
    assert "Frontier point" not in _text(folder)


@pytest.mark.parametrize("times", [2, 2.5, 10])
def test_a_rung_of_the_ladder_reads_as_words_in_both_languages(times: float) -> None:
    """The optimiser's rung names (its own function) read as the level and the outcome."""
    name = rung_name("downloaded", times)
    english, malay = (candidate_words(name, language) for language in ("en", "ms"))
    assert english == (f"the model's cheapest plan within the zone with {times:g} times "
                       "today's evidence downloaded")
    assert f" {times:g} kali " in malay and name not in malay
    assert RUNG_SOURCE in wc.SOURCES  # where the rungs came from, in words
