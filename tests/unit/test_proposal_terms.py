"""The proposal of a plan chosen under an objective, service levels and a two-part budget.

A synthetic optimisation folder with every file an optimisation now writes (budget.csv,
frontier.csv, binding.csv, the new outcomes, a comparator), so the paper's and the
workbook's numbers can be checked against it; and the same folder without the new files
still renders.
"""

from __future__ import annotations

import datetime as dt
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
    read_proposal_data,
    render_proposal,
)
from reports.proposal.terms import Holds, service_levels  # noqa: E402
from reports.proposal.tradeoffs import frontier_chart  # noqa: E402
from tests.unit.test_proposal import YEARS, by_year, plan_frame  # noqa: E402
from tests.unit.test_proposal import write_run_folder as write_old_folder  # noqa: E402

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
ONE_OFF_ENVELOPE_RM = 13_000_000.0
ANNUAL_RM = 3_000_000.0
LIABILITIES_TO = 2030
PHASED = ("posts_new_lower_ranks_salary", "national", 2, "posts", 2, 0.0, 60_000.0,
          "2025-03-01")
OUTCOMES = {  # metric: (unit, optimised, status quo, head's proposal)
    "raids": ("raids", 1283.0, 655.0, 900.0),
    "arrests": ("arrests", 559.7, 280.4, 390.0),
    "charges": ("charges", 120.4, 60.2, 85.0),
    "closed_after_investigation": ("tip-offs", 1260.1, 649.3, 800.0),
    "downloaded": ("tip-offs", 60_000.0, 62_495.0, 63_000.0),
    "high_risk_received": ("tip-offs", 24_000.0, 24_000.0, 24_000.0),
    "high_risk_examined": ("tip-offs", 9_000.0, 8_000.0, 8_500.0),
    "high_risk_examined_within_target": ("tip-offs", 4_000.0, 3_500.0, 3_600.0),
    "high_risk_within_target_share": ("fraction of high-risk tip-offs due", 0.172, 0.150,
                                      0.155),
    "high_risk_lapsed": ("tip-offs", 10_000.0, 11_000.0, 10_500.0),
    "actioned": ("tip-offs", 2543.1, 1304.3, 1700.0),
    "lapsed": ("tip-offs", 413_458.4, 366_490.3, 380_000.0),
}
BINDING = [  # constraint, unit, bound, shadow value, simulated gain, interval
    ("max_total_posts", "post", 80.0, 14.2, 11.5, 6.1, 16.9),
    ("budget_one_off", "RM1 million", 13.0, 9.7, 8.0, 2.2, 13.8),
    ("budget_annual", "RM1 million", 3.0, 5.5, 4.9, -0.4, 10.2),
    ("line_tier", "line tier", 3.0, 0.4, None, None, None),
]


def new_plan() -> pd.DataFrame:
    """The old fixture's plan with two lower-rank posts created in 2025, and ``year``."""
    plan = plan_frame()
    lever, scope, quantity, unit, paid, one_off, a_year, paid_from = PHASED
    years = by_year(paid, one_off, a_year, paid_from)
    plan.loc[len(plan)] = {
        "lever": lever, "scope": scope, "quantity": quantity, "unit": unit,
        "cost_rm": sum(years.values()), "paid_quantity": paid, "unit_one_off_rm": one_off,
        "unit_recurring_rm_per_year": a_year, "paid_from": paid_from, "one_off_rm": 0.0,
        "recurring_rm_per_year": paid * a_year,
        **{f"cost_{year}_rm": cost for year, cost in years.items()}}
    plan["year"] = [int(str(d)[:4]) if str(d) not in ("", "nan") else None
                    for d in plan["paid_from"]]
    return plan


def _summary(column: int) -> pd.DataFrame:
    rows = []
    for metric, values in OUTCOMES.items():
        unit, mean = values[0], values[column]
        for scope, share in (("national", 1.0), ("PLS", 0.1), ("SGR", 0.9)):
            value = mean if unit.startswith("fraction") else mean * share
            rows.append({"scope": scope, "metric": metric, "unit": unit, "mean": value,
                         "ci_low": value * 0.95, "ci_high": value * 1.05})
    return pd.DataFrame(rows)


def _paired() -> pd.DataFrame:
    rows = []
    for option, column in (("status_quo", 2), ("head_proposal", 3)):
        for metric, values in OUTCOMES.items():
            diff = values[1] - values[column]
            spread = abs(diff) * 0.2 + (0.005 if values[0].startswith("fraction") else 5.0)
            rows.append({"option_a": "optimised", "option_b": option, "metric": metric,
                         "mean_diff": diff, "ci_low": diff - spread, "ci_high": diff + spread,
                         "reference_mean": values[column]})
    return pd.DataFrame(rows)


def _budget(plan: pd.DataFrame) -> pd.DataFrame:
    rows, spent = [], 0.0
    rate = float(plan["recurring_rm_per_year"][plan["paid_quantity"] > 0].sum())
    for year in YEARS:
        total = float(plan[f"cost_{year}_rm"].sum())
        one_off = float(sum(row.one_off_rm for row in plan.itertuples()
                            if str(row.paid_from).startswith(str(year))))
        rows.append({"year": year, "one_off_rm": one_off, "recurring_rm": total - one_off,
                     "one_off_available_rm": ONE_OFF_ENVELOPE_RM - spent,
                     "recurring_ceiling_rm": ANNUAL_RM,
                     "unspent_rm": ANNUAL_RM - (total - one_off), "beyond_horizon": False})
        spent += one_off
    rows += [{"year": year, "one_off_rm": 0.0, "recurring_rm": rate,
              "one_off_available_rm": 0.0, "recurring_ceiling_rm": ANNUAL_RM,
              "unspent_rm": ANNUAL_RM - rate, "beyond_horizon": True}
             for year in range(YEARS[-1] + 1, LIABILITIES_TO + 1)]
    return pd.DataFrame(rows)


def _frontier() -> pd.DataFrame:
    rows = []
    for point in range(1, 6):
        raids, within = 900.0 + 100 * point, 4_600.0 - 150 * point
        for outcome, unit, mean in (("raids", "raids", raids),
                                    ("high_risk_examined_within_target", "tip-offs", within),
                                    ("cost_rm", "RM", 2_000_000.0 + 100_000 * point)):
            rows.append({"point": point, "plan": f"frontier_{point}", "outcome": outcome,
                         "unit": unit, "mean": mean, "ci_low": mean * 0.96,
                         "ci_high": mean * 1.04})
    return pd.DataFrame(rows)


def write_new_folder(folder: Path, new_files: bool = True) -> Path:
    """The old fixture, then everything an optimisation writes since issue 12."""
    write_old_folder(folder)
    (folder / "marginal.csv").unlink()
    plan = new_plan()
    plan.to_csv(folder / "plan.csv", index=False)
    _summary(1).to_csv(folder / "summary.csv", index=False)
    _summary(2).to_csv(folder / "option_status_quo.csv", index=False)
    _summary(3).to_csv(folder / "option_head_proposal.csv", index=False)
    _paired().to_csv(folder / "paired_diff.csv", index=False)
    if new_files:
        _budget(plan).to_csv(folder / "budget.csv", index=False)
        _frontier().to_csv(folder / "frontier.csv", index=False)
        pd.DataFrame(BINDING, columns=["constraint", "unit", "bound", "shadow_value",
                                       "simulated_gain", "ci_low", "ci_high"]
                     ).to_csv(folder / "binding.csv", index=False)
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    del run["scenario"]["optimise"]["budget_rm"]
    run["scenario"]["optimise"]["frontier"] = {"x": "raids",
                                               "y": "high_risk_examined_within_target"}
    run["plan"] = {
        "status": "optimal",
        "objective": {"raids": 1.0},
        "budget": {"one_off_rm": ONE_OFF_ENVELOPE_RM, "annual_rm": ANNUAL_RM,
                   "recurring_from_one_off": False, "liabilities_to_year": LIABILITIES_TO},
        "service_levels": [
            {"metric": "downloaded", "scope": "national", "floor": 0.9,
             "relative_to": "status_quo", "floor_value": 56_245.5, "met": True},
            {"metric": "high_risk_examined_within_target", "scope": "national",
             "floor": 1.0, "relative_to": "status_quo", "floor_value": 3_500.0, "met": True},
            {"metric": "high_risk_within_target_share", "scope": "SGR", "floor": 0.2,
             "relative_to": None, "floor_value": 0.2, "met": False}],
        "total_posts": 19}
    (folder / "run.json").write_text(json.dumps(run), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_new_folder(tmp_path_factory.mktemp("terms") / "run")


def _text(folder: Path, language: str = "en") -> str:
    """The paper's text, cells' line breaks as spaces."""
    lines = compose_paper(read_proposal_data(folder), language).text_lines()
    return re.sub(r"\s+", " ", " ".join(lines))


def test_one_off_and_recurring_by_year_add_up_to_plan_csv(folder: Path) -> None:
    """Numbers add up: a year's one-off plus recurring is plan.csv's cost for that year."""
    data = read_proposal_data(folder)
    plan = pd.read_csv(folder / "plan.csv")
    for year in YEARS:
        one_off, recurring = data.year_rm(year)
        assert one_off + recurring == pytest.approx(plan[f"cost_{year}_rm"].sum())
        assert one_off >= 0 and recurring >= 0
    assert data.year_rm(2025)[0] == 0.0  # the phased posts have no set-up cost here
    text = _text(folder)
    for year in YEARS:
        one_off, recurring = data.year_rm(year)
        assert f"{year} {one_off:,.0f} {recurring:,.0f} {one_off + recurring:,.0f}" in text


def test_the_paper_states_the_two_budgets_the_request_and_the_liabilities(
        folder: Path) -> None:
    data = read_proposal_data(folder)
    text = _text(folder)
    assert (f"the plan spends RM{data.one_off_rm:,.0f} of the RM13,000,000 one-off envelope, "
            f"leaving RM{13_000_000 - data.one_off_rm:,.0f} unspent") in text
    assert "within an annual ceiling of RM3,000,000" in text
    words = " ".join(text.split())
    assert "recurring, within the RM13,000,000 one-off envelope" in words  # "the" once
    assert not re.search(r"\b(the|of|a|and) \1\b", words, re.IGNORECASE)
    assert "No recurring cost is paid from the one-off money." in text
    assert "D11 has no annual allocation of its own" in text
    assert "request to the Ministry of Home Affairs" in text
    assert "liabilities the plan leaves, to 2030" in text
    rate = float(new_plan().query("paid_quantity > 0").recurring_rm_per_year.sum())
    for year in range(2027, 2031):
        assert f"{year} {rate:,.0f}" in text
    assert "New posts by the year they are created" in text
    assert "2025 0 2 2" in text  # two lower-rank posts created in 2025


def test_the_objective_and_each_service_level_are_judged_on_paired_intervals(
        folder: Path) -> None:
    levels = {level.metric: level for level in service_levels(read_proposal_data(folder))}
    # downloads: -2,495 [-2,999, -1,991] against an allowed shortfall of 6,249.5
    assert levels["downloaded"].paired and levels["downloaded"].holds is Holds.HOLDS
    # within target: +500 [395, 605] against a floor of no fall at all
    assert levels["high_risk_examined_within_target"].holds is Holds.HOLDS
    # Selangor's share, 17.2 % [16.3, 18.1], under an absolute floor of 20 %: breached
    assert levels["high_risk_within_target_share"].holds is Holds.BREACHED
    assert not levels["high_risk_within_target_share"].paired
    text = _text(folder)
    assert "The optimiser was asked to make raids as large as it could" in text
    assert "at least 90.0 % of the status quo (56,246)" in text.replace("\u00a0", " ")
    assert ("at least 20.0 % 17.2 % [16.3 %, 18.1 %] \u2013 breached"
            in text.replace("\u00a0", " "))


def test_binding_constraints_are_named_with_their_values(folder: Path) -> None:
    text = _text(folder)
    assert "Binding constraints: what relaxing each by one unit would gain" in text
    assert "max_total_posts post 80 14 12 [6, 17]" in text
    assert "budget_annual RM1 million 3 5.5 4.9 [-0.4, 10.2]" in text
    assert "line_tier line tier 3 0.4 \u2013" in text
    assert "Marginal values" not in text
    assert "Shadow value" in _text(folder) and "Nilai bayang" in _text(folder, "ms")


def test_the_frontier_is_charted_and_tabled_with_the_plan_marked(folder: Path) -> None:
    data = read_proposal_data(folder)
    ax = frontier_chart(data, "en")
    assert ax is not None
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "plans on the frontier", "This plan"]
    assert len(ax.collections) >= 4  # bars on both axes for the points and for the plan
    text = _text(folder)
    assert "Trade-off between raids and high-risk tip-offs examined within target" in text
    assert "5 frontier_5 1,400 [1,344, 1,456] 3,850 [3,696, 4,004] 2,500,000" in text


def test_outcomes_leadership_reads_come_first_with_units_and_the_share_in_percent(
        folder: Path) -> None:
    text = _text(folder).replace("\u00a0", " ")
    assert ("Investigations closed without a raid tip-offs 1,260 [1,197, 1,323] "
            "649 [617, 682]") in text
    assert "Share of high-risk tip-offs examined within target % 17.2 % [16.3 %, 18.1 %]" in text
    assert "Tip-offs actioned (raids plus investigations closed without a raid)" in text
    assert text.index("Raids raids") < text.index("Tip-offs actioned (raids plus")
    assert "percentage points higher than the status quo" in text
    assert "Head's proposal" in text
    assert "Outcomes by state under this plan" in text


def test_both_languages_carry_the_same_numbers(folder: Path) -> None:
    data = read_proposal_data(folder)
    numbers = {language: sorted(re.findall(r"\d[\d,]*\d|\d", " ".join(
        compose_paper(data, language).lines))) for language in ("en", "ms")}
    assert numbers["en"] == numbers["ms"]


def test_the_workbook_keeps_the_money_live_and_holds_every_new_table(
        folder: Path, tmp_path: Path) -> None:
    pdf, book_path = render_proposal(folder, "en", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    book = openpyxl.load_workbook(book_path)
    assert book.sheetnames == list(SHEET_NAMES["en"])
    budget = book["Budget"]
    first = [c.value for c in budget[2]]
    assert first[0] == 2024 and str(first[1]).startswith("=SUMPRODUCT(")
    assert first[2] == "=D2-B2" and first[3].startswith("='Line items'!")
    assert first[4] == ONE_OFF_ENVELOPE_RM and first[5] == ANNUAL_RM
    values = [row for row in budget.iter_rows(values_only=True)]
    assert any(row[0] == 2030 and row[2] for row in values)
    lines = book["Line items"]
    envelope = next(row for row in lines.iter_rows() if row[0].value == "One-off envelope")
    assert envelope[9].value == ONE_OFF_ENVELOPE_RM
    assert [row[0] for row in book["Binding"].iter_rows(min_row=2, values_only=True)] == [
        "max_total_posts", "budget_one_off", "budget_annual", "line_tier"]
    assert book["Frontier"].max_row == 6
    holds = [row[11] for row in book["Service levels"].iter_rows(min_row=2, values_only=True)]
    assert holds == ["holds", "holds", "breached"]


def test_a_folder_without_the_new_files_still_renders_and_says_what_is_missing(
        tmp_path: Path) -> None:
    folder = write_new_folder(tmp_path / "run", new_files=False)
    text = _text(folder)
    assert "binding.csv is not in this run folder" in text
    assert "frontier.csv is not in this run folder" in text
    assert "budget.csv is not in this run folder" in text
    render_proposal(folder, "ms", tmp_path / "out")
    old = write_old_folder(tmp_path / "old")
    pdf, book = render_proposal(old, "en", tmp_path / "old_out")
    assert pdf.is_file() and book.is_file()
    assert "Marginal values" in _text(old)


def test_an_empty_frontier_is_said_to_be_empty_not_missing(tmp_path: Path) -> None:
    """frontier.csv written with no plan (the solver found none): the paper says so."""
    folder = write_new_folder(tmp_path / "run")
    _frontier().iloc[0:0].to_csv(folder / "frontier.csv", index=False)
    text = " ".join(_text(folder).split())
    assert "frontier.csv holds no plan" in text and "frontier.csv is not in" not in text
    _, book = render_proposal(folder, "en", tmp_path / "out")
    assert "frontier.csv holds no plan" in str(openpyxl.load_workbook(book)["Frontier"]["A2"].value)


def test_a_late_horizon_start_is_no_problem_for_the_year_column(folder: Path) -> None:
    data = read_proposal_data(folder)
    salaries = [line for line in data.bought if line.code.endswith("_salary")]
    assert {line.year for line in salaries} == {2024, 2025}
    assert all(line.paid_from is None or line.paid_from >= dt.date(2024, 1, 1)
               for line in salaries)


def test_every_new_phrase_has_both_languages_with_the_same_fields() -> None:
    import string

    from reports.proposal import wording_plan

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    phrases = [value for value in vars(wording_plan).values()
               if isinstance(value, wording_plan.Phrase)]
    phrases += list(wording_plan.HOLDS_WORDS.values())
    assert len(phrases) > 40
    for phrase in phrases:
        assert phrase.en.strip() and phrase.ms.strip()
        assert fields(phrase.en) == fields(phrase.ms), phrase


def test_the_readers_return_none_for_a_folder_without_the_files(
        folder: Path, tmp_path: Path) -> None:
    from reports.run_folder import read_binding, read_budget, read_frontier

    assert read_budget(tmp_path) is None and read_frontier(tmp_path) is None
    assert read_binding(tmp_path) is None
    budget = read_budget(folder)
    assert budget is not None and budget["beyond_horizon"].tolist() == [False] * 3 + [True] * 4
    binding = read_binding(folder)
    assert binding is not None and binding["constraint"].iloc[0] == "max_total_posts"
    pd.DataFrame({"point": [1]}).to_csv(tmp_path / "frontier.csv", index=False)
    assert read_frontier(tmp_path) is None  # written before its columns: not read


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed: apt-get install -y "
                    "libreoffice-calc-nogui to recompute the workbook")
def test_a_spreadsheet_engine_adds_the_budget_sheet_up_to_plan_csv(
        folder: Path, tmp_path: Path) -> None:
    """Numbers add up in the workbook too: one-off plus recurring is plan.csv's year."""
    book = render_proposal(folder, "en", tmp_path / "book")[1]
    subprocess.run([str(SOFFICE), "--headless", "--norestore",
                    f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,"
                    "false,2", "--outdir", str(tmp_path), str(book)],
                   check=True, capture_output=True, timeout=180)
    sheet = pd.read_csv(tmp_path / "proposal-Budget.csv", header=0, dtype=str)
    plan = pd.read_csv(folder / "plan.csv")
    for year in YEARS:
        row = sheet[sheet["Year"] == str(year)].iloc[0]
        one_off, recurring = float(row["One-off (RM)"]), float(row["Recurring (RM)"])
        assert one_off + recurring == pytest.approx(plan[f"cost_{year}_rm"].sum(), abs=0.01)
        assert float(row["Total (RM)"]) == pytest.approx(one_off + recurring, abs=0.01)
