"""The budget proposal: a synthetic run folder in, PDF and workbook out, English and Malay.

The run folder's numbers are known, so the paper's and the workbook's can be checked.
"""

from __future__ import annotations

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
    compose_paper,
    horizon_years,
    outcome_sentence,
    read_proposal_data,
    render_proposal,
)

BUDGET_RM = 13_000_000.0
PLAN_ROWS = [
    # lever, scope, quantity, unit, cost_rm
    ("posts_officers", "PLS", 2, "posts", 0.0),
    ("posts_lower_ranks", "PLS", 1, "posts", 0.0),
    ("posts_officers", "SGR", 4, "posts", 0.0),
    ("posts_lower_ranks", "SGR", 0, "posts", 0.0),
    ("posts_forensic_team_officers", "hq", 5, "posts", 0.0),
    ("posts_new_officers_salary", "national", 4, "posts", 1_320_000.4),
    ("posts_new_officers_set_up", "national", 4, "posts", 120_000.0),
    ("posts_moved", "national", 2, "posts", 40_000.0),
    ("training_digital_forensics_local", "national", 6, "places", 60_000.0),
    ("trained_digital_forensics", "SGR", 3, "trained officers", 0.0),
    ("bandwidth_mbps", "hq", 500, "Mbps", 5_000.0 + 3_462.0 * 36),
    ("campaigns_per_year", "PLS", 1, "campaigns a year", 0.0),
    ("campaigns_per_year", "SGR", 3, "campaigns a year", 600_000.0),
]
PLAN_TOTAL_RM = sum(row[4] for row in PLAN_ROWS)
METRICS = {  # metric: (optimised mean, status quo mean, paired difference)
    "actioned": (2543.1, 1304.3, 1238.8),
    "downloaded": (6409.2, 62495.0, -56085.8),
    "raids": (1283.0, 655.0, 628.0),
    "arrests": (559.7, 280.4, 279.3),
    "lapsed": (413458.4, 366490.3, 46968.1),
}


def _frame(values: dict[str, float]) -> pd.DataFrame:
    rows = []
    for metric, mean in values.items():
        rows.append({"scope": "national", "metric": metric, "unit": "tip-offs", "mean": mean,
                     "ci_low": mean * 0.98, "ci_high": mean * 1.02})
        rows.append({"scope": "SGR", "metric": metric, "unit": "tip-offs", "mean": mean / 5,
                     "ci_low": mean / 5 * 0.9, "ci_high": mean / 5 * 1.1})
    return pd.DataFrame(rows)


def write_run_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(PLAN_ROWS, columns=["lever", "scope", "quantity", "unit", "cost_rm"]).to_csv(
        folder / "plan.csv", index=False)
    _frame({m: v[0] for m, v in METRICS.items()}).to_csv(folder / "summary.csv", index=False)
    _frame({m: v[1] for m, v in METRICS.items()}).to_csv(folder / "option_status_quo.csv",
                                                         index=False)
    pd.DataFrame([{"option_a": "optimised", "option_b": "status_quo", "metric": m,
                   "mean_diff": v[2], "ci_low": v[2] - 30.5, "ci_high": v[2] + 30.5}
                  for m, v in METRICS.items()]).to_csv(folder / "paired_diff.csv", index=False)
    pd.DataFrame([
        {"lever": "one more officer post", "scope": "SGR", "unit": "actioned tip-offs",
         "model_gain": 97.0, "extra_cost_rm": 305865.8, "simulated_gain": 40.8,
         "ci_low": 14.9, "ci_high": 66.7},
        {"lever": "100 Mbps more", "scope": "hq", "unit": "actioned tip-offs",
         "model_gain": 0.0, "extra_cost_rm": None, "simulated_gain": None,
         "ci_low": None, "ci_high": None},
    ]).to_csv(folder / "marginal.csv", index=False)
    run = {
        "scenario": {
            "name": "optimise_test", "start_date": "2024-01-01", "end_date": "2026-12-31",
            "states": {"PLS": {"name": "Perlis"}, "SGR": {"name": "Selangor"}},
            "optimise": {"budget_rm": BUDGET_RM, "max_total_posts": 56,
                         "bandwidth_tiers": [{"mbps": 100.0, "install_rm": 5000.0,
                                              "monthly_rm": 1448.0},
                                             {"mbps": 500.0, "install_rm": 5000.0,
                                              "monthly_rm": 3462.0}]},
        },
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
        "plan": {"status": "optimal", "optimality_gap": 0.0, "stable": True, "rounds": 3,
                 "total_cost_rm": PLAN_TOTAL_RM, "budget_rm": BUDGET_RM, "total_posts": 56},
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
    lines = compose_paper(read_proposal_data(run_folder), language).text_lines()
    text = " ".join(lines)  # sentences run across wrapped lines
    total = f"RM{PLAN_TOTAL_RM:,.0f}"
    assert total == "RM2,269,632"
    assert f"{total} {envelope}" in text
    positions = [lines.index(f"{number}. {section}")
                 for number, section in enumerate(sections, start=1)]
    assert positions == sorted(positions)
    assert "RM13 million special allocation to D11, Budget 2022" in text or language == "ms"
    assert "Malay Mail, 1 Feb 2024" in text
    assert re.search(r"(Page|Muka surat) 1 (of|daripada) \d+", text)
    if language == "ms":
        assert "Kertas ini bertujuan untuk memohon pertimbangan dan kelulusan" in text


def test_both_languages_carry_the_same_numbers(run_folder: Path) -> None:
    data = read_proposal_data(run_folder)
    numbers = {language: sorted(re.findall(r"\d[\d,]*\d|\d", " ".join(
        compose_paper(data, language).text_lines()))) for language in ("en", "ms")}
    assert numbers["en"] == numbers["ms"]
    for key in ("2,269,632", "1,239", "56,086", "305,866"):
        assert key in numbers["en"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_pdf_text_can_be_extracted(rendered: dict[str, Path]) -> None:
    for language, heading in (("en", "Financial implications"), ("ms", "Implikasi Kewangan")):
        text = subprocess.run(["pdftotext", "-layout", str(rendered[language] / "proposal.pdf"),
                               "-"], capture_output=True, text=True, check=True).stdout
        assert heading in text
        assert f"RM{PLAN_TOTAL_RM:,.0f}" in text


def test_line_items_sum_to_the_plan_and_the_totals_are_sum_formulas(
        rendered: dict[str, Path]) -> None:
    sheet = openpyxl.load_workbook(rendered["en"] / "proposal.xlsx")["Line items"]
    headers = [c.value for c in sheet[1]]
    one_off, recurring, total = (headers.index(h) for h in
                                 ("One-off (RM)", "Recurring (RM)", "Total (RM)"))
    years = [i for i, h in enumerate(headers) if re.fullmatch(r"\d{4} \(RM\)", str(h))]
    assert [headers[i] for i in years] == ["2024 (RM)", "2025 (RM)", "2026 (RM)"]
    rows = list(sheet.iter_rows(min_row=2, max_row=len(PLAN_ROWS) + 1, values_only=True))
    assert sum(r[total] for r in rows) == pytest.approx(PLAN_TOTAL_RM)
    for row in rows:
        assert row[one_off] + row[recurring] == pytest.approx(row[total])
        assert sum(row[i] for i in years) == pytest.approx(row[total])
    total_row = len(PLAN_ROWS) + 2
    assert sheet.cell(total_row, 1).value == "Total"
    letter = openpyxl.utils.get_column_letter(total + 1)
    assert sheet.cell(total_row, total + 1).value == f"=SUM({letter}2:{letter}{total_row - 1})"
    assert sheet.cell(total_row + 1, 1).value == "Envelope"
    assert sheet.cell(total_row + 1, total + 1).value == BUDGET_RM
    assert sheet.cell(total_row + 2, total + 1).value == \
        f"={letter}{total_row + 1}-{letter}{total_row}"
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(2, total + 1).number_format == "#,##0"


def test_costs_are_split_into_one_off_and_recurring_by_year(run_folder: Path) -> None:
    data = read_proposal_data(run_folder)
    lines = {(line.code, line.scope): line for line in data.lines}
    bandwidth = lines[("bandwidth_mbps", "hq")]
    assert bandwidth.one_off_rm == 5000.0  # installation; the rental recurs
    assert bandwidth.recurring_rm == pytest.approx(3462.0 * 36)
    salary = lines[("posts_new_officers_salary", "national")]
    assert salary.one_off_rm == 0.0
    assert list(salary.by_year_rm.values()) == pytest.approx([1_320_000.4 / 3] * 3)
    set_up = lines[("posts_new_officers_set_up", "national")]
    assert set_up.by_year_rm == {2024: 120_000.0, 2025: 0.0, 2026: 0.0}
    assert data.one_off_rm == pytest.approx(120_000 + 40_000 + 60_000 + 5_000)
    assert data.total_rm == pytest.approx(PLAN_TOTAL_RM)


def test_a_part_year_takes_its_share_of_recurring_costs() -> None:
    import datetime as dt

    shares = horizon_years(dt.date(2024, 7, 1), dt.date(2025, 12, 31))
    assert shares[2025] == 1.0
    assert shares[2024] == pytest.approx(184 / 366)


@pytest.mark.parametrize("language", ["en", "ms"])
def test_outcomes_sheet_holds_the_csv_values(rendered: dict[str, Path], run_folder: Path,
                                             language: str) -> None:
    sheet = openpyxl.load_workbook(rendered[language] / "proposal.xlsx")[
        SHEET_NAMES[language][1]]
    summary = pd.read_csv(run_folder / "summary.csv").query("scope == 'national'")
    quo = pd.read_csv(run_folder / "option_status_quo.csv").query("scope == 'national'")
    paired = pd.read_csv(run_folder / "paired_diff.csv")
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == set(METRICS)
    for metric, row in rows.items():
        own = summary.set_index("metric").loc[metric]
        other = quo.set_index("metric").loc[metric]
        difference = paired.set_index("metric").loc[metric]
        assert row[3:9] == pytest.approx((own["mean"], own["ci_low"], own["ci_high"],
                                          other["mean"], other["ci_low"], other["ci_high"]))
        assert row[9:12] == pytest.approx((difference["mean_diff"], difference["ci_low"],
                                           difference["ci_high"]))


def test_assumptions_sheet_lists_the_run_assumptions_and_the_published_facts(
        rendered: dict[str, Path]) -> None:
    sheet = openpyxl.load_workbook(rendered["en"] / "proposal.xlsx")["Assumptions"]
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[1][:5] == ("review.actionable_prob", 0.3, "probability", 0.2, 0.4)
    assert any("56 MICAC posts were created in June 2022" in str(row[0]) for row in values)


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
    plan.loc[len(plan)] = ["posts_for_everyone", "national", 1, "posts", 0.0]
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
                  wording.CATEGORIES, wording.MARGINAL_LEVERS):
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


def test_the_proposal_reads_from_model_only_the_metric_catalogue_and_the_levers() -> None:
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
                    assert name in ("model.metrics", "model.levers"), (path.name, name)
