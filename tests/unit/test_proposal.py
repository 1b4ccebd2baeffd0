"""The budget proposal: a synthetic run folder in, PDF and workbook out, English and Malay.

The run folder's numbers are known, so the paper's and the workbook's can be checked.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

openpyxl = pytest.importorskip("openpyxl")

from reports.proposal import (  # noqa: E402  (after the skip: openpyxl is optional)
    SHEET_NAMES,
    PlanFileError,
    compose_paper,
    outcome_sentence,
    read_proposal_data,
    render_proposal,
)

BUDGET_RM = 13_000_000.0
START, END = dt.date(2024, 1, 1), dt.date(2026, 12, 31)
YEARS = (2024, 2025, 2026)
FILLED = "2024-06-29"  # 180 days after the start: new posts start vacant
PLAN_ROWS = [
    # lever, scope, quantity, unit, paid quantity, unit one-off, unit a year, paid from
    ("posts_officers", "PLS", 3, "posts", 0, 0.0, 0.0, ""),
    ("posts_lower_ranks", "PLS", 1, "posts", 0, 0.0, 0.0, ""),
    ("posts_officers", "SGR", 4, "posts", 0, 0.0, 0.0, ""),
    ("posts_lower_ranks", "SGR", 0, "posts", 0, 0.0, 0.0, ""),
    ("posts_download_team_officers", "hq", 1, "posts", 0, 0.0, 0.0, ""),
    ("posts_download_team_lower_ranks", "hq", 0, "posts", 0, 0.0, 0.0, ""),
    ("posts_forensic_team_officers", "hq", 8, "posts", 0, 0.0, 0.0, ""),
    ("posts_forensic_team_lower_ranks", "hq", 0, "posts", 0, 0.0, 0.0, ""),
    ("posts_new_officers_salary", "national", 4, "posts", 4, 0.0, 110_000.0, FILLED),
    ("posts_new_officers_set_up", "national", 4, "posts", 4, 30_000.0, 0.0, FILLED),
    ("posts_moved", "national", 4, "posts", 4, 20_000.0, 0.0, FILLED),
    ("training_digital_forensics_local", "hq", 6, "places", 6, 10_000.0, 0.0, "2024-04-30"),
    ("trained_digital_forensics", "hq", 6, "people trained", 0, 0.0, 0.0, ""),
    ("bandwidth_mbps", "hq", 500, "Mbps", 1, 5_000.0, 3_462.0 * 12, "2024-01-01"),
    ("campaigns_per_year", "PLS", 1, "campaigns a year", 0, 0.0, 100_000.0, ""),
    ("campaigns_per_year", "SGR", 3, "campaigns a year", 2, 0.0, 100_000.0, "2024-01-01"),
]
TODAY = {  # today's establishment: (site, team or None, rank) -> posts
    ("PLS", None, "officers"): 1, ("PLS", None, "lower_ranks"): 0,
    ("SGR", None, "officers"): 1, ("SGR", None, "lower_ranks"): 1,
    ("hq", "download_team", "officers"): 4, ("hq", "download_team", "lower_ranks"): 2,
    ("hq", "forensic_team", "officers"): 6, ("hq", "forensic_team", "lower_ranks"): 0,
}


def by_year(paid: float, one_off: float, a_year: float, paid_from: str) -> dict[int, float]:
    """The costing rule, written again: a one-off in its year, a yearly cost by days paid."""
    costs = dict.fromkeys(YEARS, 0.0)
    if not paid:
        return costs
    day = dt.date.fromisoformat(paid_from)
    for year in YEARS:
        first, last = max(day, dt.date(year, 1, 1)), dt.date(year, 12, 31)
        days = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
        costs[year] = paid * a_year * max((last - first).days + 1, 0) / days
        costs[year] += paid * one_off if day.year == year else 0.0
    return costs


def plan_frame() -> pd.DataFrame:
    rows = []
    for lever, scope, quantity, unit, paid, one_off, a_year, paid_from in PLAN_ROWS:
        years = by_year(paid, one_off, a_year, paid_from)
        priced = bool(paid)
        rows.append({"lever": lever, "scope": scope, "quantity": quantity, "unit": unit,
                     "cost_rm": sum(years.values()), "paid_quantity": paid,
                     "unit_one_off_rm": one_off if priced else 0.0,
                     "unit_recurring_rm_per_year": a_year if priced else 0.0,
                     "paid_from": paid_from, "one_off_rm": paid * one_off,
                     "recurring_rm_per_year": paid * a_year,
                     **{f"cost_{year}_rm": cost for year, cost in years.items()}})
    return pd.DataFrame(rows)


PLAN_TOTAL_RM = float(plan_frame().cost_rm.sum())
METRICS = {  # metric: (optimised mean, status quo mean, paired difference)
    "actioned": (2543.1, 1304.3, 1238.8),
    "downloaded": (6409.2, 62495.0, -56085.8),
    "raids": (1283.0, 655.0, 628.0),
    "arrests": (559.7, 280.4, 279.3),
    "lapsed": (413458.4, 366490.3, 46968.1),
}
PROMISED = 3811.0


def _frame(values: dict[str, float]) -> pd.DataFrame:
    rows = []
    for metric, mean in values.items():
        rows.append({"scope": "national", "metric": metric, "unit": "tip-offs", "mean": mean,
                     "ci_low": mean * 0.98, "ci_high": mean * 1.02})
        rows.append({"scope": "SGR", "metric": metric, "unit": "tip-offs", "mean": mean / 5,
                     "ci_low": mean / 5 * 0.9, "ci_high": mean / 5 * 1.1})
    return pd.DataFrame(rows)


def _group(posts: int) -> dict:
    return {"posts": posts, "filled_at_start": None, "availability_share": None, "changes": []}


def _scenario() -> dict:
    states = {code: {"name": name, "campaigns_per_year": 1,
                     **{rank: _group(TODAY[(code, None, rank)])
                        for rank in ("officers", "lower_ranks")}}
              for code, name in (("PLS", "Perlis"), ("SGR", "Selangor"))}
    hq = {team: {rank: _group(TODAY[("hq", team, rank)]) for rank in ("officers", "lower_ranks")}
          for team in ("download_team", "forensic_team")}
    return {"name": "optimise_test", "start_date": START.isoformat(),
            "end_date": END.isoformat(), "states": states, "hq": hq,
            "staffing": {"recruitment_lag_days": {"value": 180.0}},
            "optimise": {"budget_rm": BUDGET_RM, "max_total_posts": 56}}


def write_run_folder(folder: Path, verdicts: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    plan_frame().to_csv(folder / "plan.csv", index=False)
    _frame({m: v[0] for m, v in METRICS.items()}).to_csv(folder / "summary.csv", index=False)
    _frame({m: v[1] for m, v in METRICS.items()}).to_csv(folder / "option_status_quo.csv",
                                                         index=False)
    paired = pd.DataFrame([{"option_a": "optimised", "option_b": "status_quo", "metric": m,
                            "mean_diff": v[2], "ci_low": v[2] - 30.5, "ci_high": v[2] + 30.5}
                           for m, v in METRICS.items()])
    if verdicts:  # the arrests' adjusted interval reaches zero: no meaningful difference
        paired["adjusted_ci_low"] = paired.mean_diff - [40.0, 40.0, 40.0, 300.0, 40.0]
        paired["adjusted_ci_high"] = paired.mean_diff + 40.0
        paired["threshold_share"] = 0.01
        paired["verdict"] = ["better", "worse", "better", "no meaningful difference",
                             "worse"]
    paired.to_csv(folder / "paired_diff.csv", index=False)
    pd.DataFrame([
        {"lever": "one more officer post", "scope": "SGR", "unit": "actioned tip-offs",
         "model_gain": 97.0, "extra_cost_rm": 305865.8, "simulated_gain": 40.8,
         "ci_low": 14.9, "ci_high": 66.7},
        {"lever": "100 Mbps more", "scope": "hq", "unit": "actioned tip-offs",
         "model_gain": 0.0, "extra_cost_rm": None, "simulated_gain": None,
         "ci_low": None, "ci_high": None},
    ]).to_csv(folder / "marginal.csv", index=False)
    run = {
        "scenario": _scenario(),
        "seed": 5, "replications": 10,
        "interval": "95 % t-interval for the mean over independent replications",
        "finished_at": "2026-11-28T20:52:08+00:00",
        "assumptions": [
            {"parameter": "review.actionable_prob", "value": 0.3, "unit": "probability",
             "low": 0.2, "high": 0.4, "note": "share of reviewed tip-offs worth acting on"},
            {"parameter": "optimise.post_costs.officer_rm_per_year", "value": 110000.0,
             "unit": "RM a year", "low": 70000.0, "high": 150000.0,
             "note": "inspector (YA13) basic pay with allowances (JPA)"},
        ],
        "plan": {"status": "optimal", "optimality_gap": 0.0, "surrogate_actioned": PROMISED,
                 "total_cost_rm": PLAN_TOTAL_RM, "budget_rm": BUDGET_RM, "total_posts": 17},
    }
    (folder / "run.json").write_text(json.dumps(run), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_run_folder(tmp_path_factory.mktemp("optimisation_run"))


@pytest.fixture(scope="module")
def rendered(run_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {language: render_proposal(run_folder, language,
                                      tmp_path_factory.mktemp(f"proposal_{language}"))[0].parent
            for language in ("en", "ms")}


@functools.cache
def _lines(folder: Path, language: str = "en") -> list[str]:
    """The paper's text of a run folder, laid out once per folder and language."""
    return compose_paper(read_proposal_data(folder), language).text_lines()


def _text(folder: Path, language: str = "en") -> str:
    return " ".join(_lines(folder, language))


def test_both_languages_write_a_pdf_and_a_workbook_and_leave_the_run_folder_alone(
        run_folder: Path, rendered: dict[str, Path]) -> None:
    for language, out in rendered.items():
        assert (out / "proposal.pdf").read_bytes().startswith(b"%PDF")
        book = openpyxl.load_workbook(out / "proposal.xlsx")
        assert book.sheetnames == list(SHEET_NAMES[language])
    assert not (run_folder / "proposal.pdf").exists()


@pytest.mark.parametrize(("language", "sections", "envelope"), [
    ("en", ["Purpose", "Background", "Justification", "Financial implications",
            "Recommendation"], "of the RM13,000,000 envelope"),
    ("ms", ["Tujuan", "Latar Belakang", "Justifikasi", "Implikasi Kewangan", "Syor"],
     "daripada siling RM13,000,000"),
])
def test_paper_states_the_plan_total_against_the_envelope_in_budget_paper_order(
        run_folder: Path, language: str, sections: list[str], envelope: str) -> None:
    lines = _lines(run_folder, language)
    text = " ".join(lines)  # sentences run across wrapped lines
    total = f"RM{PLAN_TOTAL_RM:,.0f}"
    assert total == "RM2,093,239"
    assert f"{total} {envelope}" in text
    positions = [lines.index(f"{number}. {section}")
                 for number, section in enumerate(sections, start=1)]
    assert positions == sorted(positions)
    assert "RM13 million special allocation to D11, Budget 2022" in text or language == "ms"
    assert "Malay Mail, 1 Feb 2024" in text
    assert re.search(r"(Page|Muka surat) 1 (of|daripada) \d+", text)
    if language == "ms":
        assert "Kertas ini bertujuan untuk memohon pertimbangan dan kelulusan" in text


@pytest.mark.parametrize("verdicts", [False, True])
def test_both_languages_carry_the_same_numbers(tmp_path: Path, verdicts: bool) -> None:
    data = read_proposal_data(write_run_folder(tmp_path / "run", verdicts))
    numbers = {language: sorted(re.findall(r"\d[\d,]*\d|\d", " ".join(
        compose_paper(data, language).text_lines()))) for language in ("en", "ms")}
    assert numbers["en"] == numbers["ms"]
    for key in ("2,093,239", "1,239", "56,086", "305,866"):
        assert key in numbers["en"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_pdf_text_can_be_extracted(rendered: dict[str, Path]) -> None:
    for language, heading in (("en", "Financial implications"), ("ms", "Implikasi Kewangan")):
        text = _pdf_text(rendered[language] / "proposal.pdf")
        assert heading in text
        assert f"RM{PLAN_TOTAL_RM:,.0f}" in text


# --- money that adds up ---------------------------------------------------------------------


def test_each_cost_falls_in_the_year_it_is_paid(run_folder: Path) -> None:
    """Salaries from the day new posts are filled; one-offs in their year; a line from its start."""
    data = read_proposal_data(run_folder)
    lines = {(line.code, line.scope): line for line in data.lines}
    salary = lines[("posts_new_officers_salary", "national")]
    assert salary.by_year_rm[2024] == pytest.approx(4 * 110_000 * 186 / 366)
    assert salary.by_year_rm[2024] < 0.55 * salary.by_year_rm[2025]  # about half a year
    assert salary.by_year_rm[2025] == salary.by_year_rm[2026] == pytest.approx(440_000)
    assert salary.one_off_rm == 0.0
    line = lines[("bandwidth_mbps", "hq")]
    assert line.one_off_in(2024) == 5000.0 and line.one_off_in(2025) == 0.0
    assert line.by_year_rm == pytest.approx({2024: 5000 + 41_544, 2025: 41_544, 2026: 41_544})
    assert data.one_off_rm == pytest.approx(120_000 + 80_000 + 60_000 + 5_000)
    assert data.total_rm == pytest.approx(PLAN_TOTAL_RM)
    years = [data.year_rm(year) for year in data.years]
    assert sum(map(sum, years)) == pytest.approx(PLAN_TOTAL_RM)
    assert years[0][1] < years[1][1]  # recurring: half a year of salaries in the first year


def test_nothing_costing_nothing_is_listed_as_bought(run_folder: Path,
                                                     rendered: dict[str, Path]) -> None:
    """Kept campaigns and posts are listed as kept, not among what the money is for."""
    data = read_proposal_data(run_folder)
    assert {(line.code, line.scope) for line in data.bought} == {
        ("posts_new_officers_salary", "national"), ("posts_new_officers_set_up", "national"),
        ("posts_moved", "national"), ("training_digital_forensics_local", "hq"),
        ("bandwidth_mbps", "hq"), ("campaigns_per_year", "SGR")}
    text = _text(run_folder)
    pays_for = re.search(r"It pays for (.*?)\.", text)
    assert pays_for is not None
    assert "2 awareness campaigns a year beyond today's" in pays_for.group(1)
    assert "4 new officer posts" in pays_for.group(1)
    assert "awareness campaigns a year, as today" in text  # the kept table: PLS and SGR's one
    sheet = openpyxl.load_workbook(rendered["en"] / "proposal.xlsx")["Line items"]
    codes = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True) if row[2]]
    assert sorted(codes) == sorted(line.code for line in data.bought)
    kept = openpyxl.load_workbook(rendered["en"] / "proposal.xlsx")["Kept"]
    assert [row[2] for row in kept.iter_rows(min_row=2, values_only=True)] == [
        "9 posts", "2 campaigns a year"]


def test_line_items_hold_prices_and_quantities_with_formulas_for_every_total(
        rendered: dict[str, Path]) -> None:
    sheet = openpyxl.load_workbook(rendered["en"] / "proposal.xlsx")["Line items"]
    headers = [c.value for c in sheet[1]]
    assert headers[:11] == ["Category", "Item", "Lever", "Where", "Quantity", "Unit",
                            "Unit one-off (RM)", "Unit recurring (RM a year)", "Paid from",
                            "One-off (RM)", "Recurring (RM a year)"]
    assert headers[11:] == ["2024 (RM)", "2025 (RM)", "2026 (RM)", "Total (RM)"]
    salary = next(row for row in sheet.iter_rows(min_row=2) if row[2].value ==
                  "posts_new_officers_salary")
    number = salary[0].row
    assert [c.value for c in salary[4:8]] == [4, "posts", 0.0, 110_000.0]
    assert salary[8].value.date() == dt.date(2024, 6, 29)
    assert salary[9].value == f"=E{number}*G{number}"
    assert salary[10].value == f"=E{number}*H{number}"
    assert all(str(cell.value).startswith("=") for cell in salary[11:])
    assert salary[14].value == f"=SUM(L{number}:N{number})"
    total_row = next(row[0].row for row in sheet.iter_rows(min_row=2) if row[0].value == "Total")
    for column in "JKLMNO":
        assert sheet[f"{column}{total_row}"].value == f"=SUM({column}2:{column}{total_row - 1})"
    assert sheet[f"O{total_row + 1}"].value == BUDGET_RM
    assert sheet[f"O{total_row + 2}"].value == f"=O{total_row + 1}-O{total_row}"
    assert sheet.freeze_panes == "A2"
    book = openpyxl.load_workbook(rendered["en"] / "proposal.xlsx")
    assert set(book.defined_names) >= {"HorizonStart", "HorizonEnd"}


def test_course_places_bought_equal_the_people_trained(run_folder: Path) -> None:
    text = _text(run_folder)
    assert "People trained, by course and site: one for each place bought" in text
    lines = _lines(run_folder)
    total = lines.index("Places bought")
    assert lines[total + 1] == "6" and lines[total - 1] == "6"


# --- nothing hidden ---------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "changes"), [
    ("en", ["Headquarters (Bukit Aman) from 12 posts to 9 (download team from 6 to 1, "
            "forensic team from 6 to 8).",
            "The states from 3 posts to 8 (Perlis 1 to 4, Selangor 2 to 4).",
            "Officers from 12 to 16 and lower ranks from 3 to 1.",
            "4 new officer posts created.",
            "2 lower-rank posts given up (no saving is counted for them).",
            "4 posts moved to another site or team."]),
    ("ms", ["Ibu Pejabat (Bukit Aman) daripada 12 jawatan kepada 9 (pasukan muat turun "
            "daripada 6 kepada 1, pasukan forensik daripada 6 kepada 8).",
            "Negeri-negeri daripada 3 jawatan kepada 8 (Perlis 1 kepada 4, Selangor 2 kepada "
            "4)."]),
])
def test_purpose_and_recommendation_state_every_change_to_the_posts(
        run_folder: Path, language: str, changes: list[str]) -> None:
    lines = _lines(run_folder, language)
    for change in changes:
        assert change in lines
    recommendation = next(line for line in lines if line.startswith(
        ("It is recommended", "Sehubungan itu")))
    assert changes[0][1:-1].lower() in recommendation.lower()


def test_posts_table_shows_before_and_after_by_site_team_and_rank(run_folder: Path) -> None:
    lines = _lines(run_folder)
    caption = lines.index("Table 1: Posts before and after the plan, by site, team and rank")
    assert lines[caption + 1:caption + 9] == [
        "Site and team", "Officers before", "Officers after", "Lower ranks before",
        "Lower ranks after", "All before", "All after", "Change"]
    download = lines.index("HQ download team")
    assert lines[download:download + 8] == ["HQ download team", "4", "1", "2", "0", "6", "1",
                                            "-5"]
    assert lines[lines.index("Headquarters", caption) + 1:][:7] == [
        "10", "9", "2", "0", "12", "9", "-3"]
    total = lines.index("Total", caption)
    assert lines[total + 1:total + 8] == ["12", "16", "3", "1", "15", "17", "+2"]


def test_optimal_is_said_only_of_what_the_simulation_showed(run_folder: Path) -> None:
    for language in ("en", "ms"):
        text = _text(run_folder, language)
        assert "optimal" not in text.lower() and "optimum" not in text.lower().replace(
            "pengoptimum", "")
    text = _text(run_folder)
    # A folder written before the certificate: the promise of actioned tip-offs, and a note
    assert ("The optimiser's simplified model promised 3,811 actioned tip-offs for this plan; "
            "the simulation gives 2,543 [2,492, 2,594], 33.3\u00a0% less.") in text
    assert "certificate.csv is not in this run folder" in text
    assert "Of the plans compared in the simulation, it actions the most tip-offs" in text


def test_paired_sentences_read_the_verdict_column_where_there_is_one(tmp_path: Path) -> None:
    text = _text(write_run_folder(tmp_path / "run", verdicts=True))
    assert ("Arrests: 279 more than the status quo (adjusted interval -21 to 319): no "
            "meaningful difference.") in text
    assert "adjusted for the 5 outcomes compared between two plans" in text
    assert "exceeds 1\u00a0% of the other plan's value" in text
    ms = _text(tmp_path / "run", "ms")
    assert "tiada perbezaan yang bermakna" in ms
    old = _text(write_run_folder(tmp_path / "old"))
    assert "within noise" not in old and "better, beyond noise" in old


def test_an_old_plan_csv_is_refused_with_the_reason(tmp_path: Path) -> None:
    folder = write_run_folder(tmp_path / "run")
    plan = pd.read_csv(folder / "plan.csv")
    plan[["lever", "scope", "quantity", "unit", "cost_rm"]].to_csv(folder / "plan.csv",
                                                                  index=False)
    with pytest.raises(PlanFileError, match="run the optimisation again"):
        read_proposal_data(folder)


# --- the workbook recomputed by a spreadsheet engine ------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _recompute(book: Path, out: Path) -> dict[str, float]:
    """The line items' totals as LibreOffice computes them (a CSV export recalculates)."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(SOFFICE), "--headless", "--norestore",
                    f"-env:UserInstallation=file://{out / 'profile'}", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false",
                    "--outdir", str(out), str(book)], check=True, capture_output=True,
                   timeout=180)
    frame = pd.read_csv(out / f"{book.stem}.csv", header=0)
    total = frame[frame.iloc[:, 0] == "Total"].iloc[0]
    return {str(column): float(total[column]) for column in frame.columns
            if str(column).endswith("(RM)") and not pd.isna(total[column])}


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed: apt-get install -y "
                    "libreoffice-calc-nogui (Debian; .ci/run does this) to recompute the workbook")
def test_a_spreadsheet_engine_recomputes_the_totals_and_follows_a_changed_price(
        run_folder: Path, rendered: dict[str, Path], tmp_path: Path) -> None:
    plan = pd.read_csv(run_folder / "plan.csv")
    totals = _recompute(rendered["en"] / "proposal.xlsx", tmp_path / "as_written")
    assert totals["Total (RM)"] == pytest.approx(plan.cost_rm.sum(), abs=0.01)
    for year in YEARS:
        assert totals[f"{year} (RM)"] == pytest.approx(plan[f"cost_{year}_rm"].sum(), abs=0.01)
    text = _text(run_folder)
    for year in YEARS:
        assert f"{totals[f'{year} (RM)']:,.0f}" in text
    assert f"RM{totals['Total (RM)']:,.0f}" in text
    book = openpyxl.load_workbook(rendered["en"] / "proposal.xlsx")
    sheet = book["Line items"]
    salary = next(row for row in sheet.iter_rows(min_row=2) if row[2].value ==
                  "posts_new_officers_salary")
    salary[7].value = 120_000.0  # RM10,000 a year more for each of the 4 officers
    changed = tmp_path / "changed.xlsx"
    book.save(changed)
    after = _recompute(changed, tmp_path / "changed")
    extra = 4 * 10_000 * (186 / 366 + 2)
    assert after["Total (RM)"] == pytest.approx(totals["Total (RM)"] + extra, abs=0.01)
    assert after["2024 (RM)"] == pytest.approx(totals["2024 (RM)"] + 4 * 10_000 * 186 / 366,
                                               abs=0.01)


@pytest.mark.parametrize(("metric", "difference", "low", "high", "expected"), [
    ("actioned", 540.0, 480.0, 600.0, "540 more than the status quo (95 % interval 480 to "
                                      "600): better, beyond noise."),
    ("lapsed", -300.0, -350.0, -250.0, "300 fewer than the status quo (95 % interval -350 to "
                                       "-250): better, beyond noise."),
    ("arrests", 12.0, -3.0, 27.0, "12 more than the status quo (95 % interval -3 to 27): "
                                  "within noise."),
])
def test_outcome_sentence_says_which_is_better_and_whether_beyond_noise(
        metric: str, difference: float, low: float, high: float, expected: str) -> None:
    assert outcome_sentence(metric, difference, low, high, "status_quo", "en").endswith(
        expected)


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_pdf_holds_no_web_address_and_the_same_run_gives_the_same_bytes(
        run_folder: Path, rendered: dict[str, Path], tmp_path: Path) -> None:
    for out in rendered.values():
        data = (out / "proposal.pdf").read_bytes()
        assert b"http" not in data  # reportlab's producer field would carry its web address
        assert b"/Producer" in data
    again = render_proposal(run_folder, "en", tmp_path)[0]
    assert again.read_bytes() == (rendered["en"] / "proposal.pdf").read_bytes()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_pdf_prints_en_dashes_and_numbers_every_page_out_of_the_total(
        rendered: dict[str, Path]) -> None:
    for language, label in (("en", "Page {} of {}"), ("ms", "Muka surat {} daripada {}")):
        text = _pdf_text(rendered[language] / "proposal.pdf")
        assert "2024–2026" in text  # the embedded font has the en dash
        pages = text.rstrip("\f").count("\f") + 1  # pdftotext ends each page with a form feed
        assert pages > 3
        for page in (1, pages):
            assert label.format(page, pages) in text


def test_a_lever_code_that_names_no_lever_is_refused(tmp_path: Path) -> None:
    from model.levers import LeverCodeError

    folder = write_run_folder(tmp_path / "run")
    plan = pd.read_csv(folder / "plan.csv")
    plan.loc[len(plan)] = {**plan.iloc[0].to_dict(), "lever": "posts_for_everyone"}
    plan.to_csv(folder / "plan.csv", index=False)
    with pytest.raises(LeverCodeError):
        read_proposal_data(folder)


def test_every_lever_reads_as_words_in_both_languages() -> None:
    from model.levers import COURSES, DELIVERIES, HQ_TEAMS, RANKS, Lever, LeverKind
    from reports.proposal import describe_lever

    levers = [Lever(LeverKind.POSTS_MOVED), Lever(LeverKind.LINE), Lever(LeverKind.CAMPAIGNS)]
    for rank in RANKS:
        levers += [Lever(kind, rank=rank) for kind in (
            LeverKind.POSTS, LeverKind.NEW_POSTS_SALARY, LeverKind.NEW_POSTS_SET_UP)]
        levers += [Lever(LeverKind.POSTS, rank=rank, team=team) for team in HQ_TEAMS]
    for course in COURSES:
        levers.append(Lever(LeverKind.TRAINED, course=course))
        levers += [Lever(LeverKind.COURSE_PLACES, course=course, delivery=delivery)
                   for delivery in DELIVERIES]
    for lever in levers:
        words = {language: describe_lever(lever, language) for language in ("en", "ms")}
        assert all(text and "_" not in text for text in words.values()), lever
        assert words["en"] != words["ms"], lever
    assert describe_lever(Lever.parse("training_covert_online_abroad"), "en") == \
        "training in covert online work, abroad"


def test_every_phrase_has_both_languages_with_the_same_fields() -> None:
    import string

    from reports.proposal import wording

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    phrases = [value for value in vars(wording).values() if isinstance(value, wording.Phrase)]
    for table in (wording.OPTIONS_IN_SENTENCE, wording.UNITS, wording.COURSES,
                  wording.CATEGORIES, wording.MARGINAL_LEVERS, wording.TEAM_NAMES):
        phrases += list(table.values())
    phrases += [fact.text for fact in wording.PUBLISHED_FACTS]
    assert len(phrases) > 100
    for phrase in phrases:
        assert phrase.en.strip() and phrase.ms.strip()
        if phrase is not wording.INTERVAL_RECORDED:  # Malay words what run.json records
            assert fields(phrase.en) == fields(phrase.ms), phrase


def test_wide_tables_are_fitted_to_the_width_numbers_unbroken_long_names_broken() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from reports.proposal.fonts import FONT, register_fonts
    from reports.proposal.tables import breakable, column_widths

    register_fonts()
    rows = [["states.SGR.tipoff_weight_factor", "1,234,567", "a long note " * 30],
            ["review.review_hours", "2", "short"]]
    widths = column_widths(["Parameter", "Value", "Note or source"], rows, ["l", "r", "l"],
                           7.0, 300.0)
    assert sum(widths) == pytest.approx(300.0)
    assert widths[1] > stringWidth("1,234,567", FONT, 7.0)
    cell = breakable("states.SGR.tipoff_weight_factor", 60.0, FONT, 7.0)
    assert cell.split("<br/>")[0] == "states.SGR."
    assert breakable("1 < 2 & 3\nnext", 200.0, FONT, 7.0) == "1 &lt; 2 &amp; 3<br/>next"


def test_the_proposal_reads_from_model_only_the_catalogues() -> None:
    """Of the model: the metrics, the levers and the declared tables, nothing else."""
    import ast

    import reports.proposal

    package = Path(reports.proposal.__file__).parent
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                root = name.split(".")[0]
                assert root not in ("solvers", "run_scenario"), (path.name, name)
                if root == "model":
                    assert name in ("model.metrics", "model.levers", "model.tables"), (
                        path.name, name)


def test_a_chart_picture_takes_in_a_title_wider_than_its_panel() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from reports.proposal.document import _chart_image

    figure = Figure(figsize=(3.0, 2.0), layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.subplots()
    ax.set_title("High-risk tip-offs examined within target, a title wider than its panel")
    ax.plot([0, 1], [0, 1])
    image = _chart_image(ax, 300.0)
    renderer = figure.canvas.get_renderer()
    title = ax.title.get_window_extent(renderer)
    # the title runs past both sides of the 3 x 2 in figure: the picture is wider for its
    # height than the figure, and at least as wide as the title
    assert title.width > 3.0 * figure.dpi
    assert image.drawWidth / image.drawHeight > 3.0 / 2.0
    assert image.drawWidth == 300.0
