"""The comparison report: a synthetic comparison folder with known numbers in, HTML out."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from reports.comparison_report import difference_sentence, period_text, render_comparison

OPTIONS = ("status_quo", "three_to_four_per_state")
NATIONAL = {  # metric: mean of each option
    "actioned": (1304.3, 1844.3),
    "downloaded": (62495.0, 12474.6),
    "raids": (655.0, 890.2),
    "arrests": (280.4, 388.0),
    "lapsed": (366490.3, 408591.7),
}
STATES = {"PLS": (5.0, 7.0), "SGR": (19.7, 20.0)}  # actioned by state


def pair(metric: str, mean_diff: float, low: float, high: float, verdict: str,
         reference: float = 1_000.0, confidence: float = 0.99375) -> dict[str, object]:
    """A row of paired_diff.csv, b the reference; the unadjusted interval is the tighter."""
    return {"option_a": OPTIONS[1], "option_b": OPTIONS[0], "metric": metric,
            "mean_diff": mean_diff, "ci_low": (low + mean_diff) / 2,
            "ci_high": (high + mean_diff) / 2, "reference_mean": reference, "p_value": 0.001,
            "adjusted_confidence": confidence, "adjusted_ci_low": low, "adjusted_ci_high": high,
            "threshold_share": 0.01, "verdict": verdict}


def write_comparison_folder(folder: Path, actioned_interval: tuple[float, float],
                            actioned_verdict: str = "better") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for index, option in enumerate(OPTIONS):
        for metric, means in NATIONAL.items():
            mean = means[index]
            rows.append({"option": option, "scope": "national", "metric": metric,
                         "unit": "tip-offs", "mean": mean, "ci_low": mean * 0.95,
                         "ci_high": mean * 1.05})
        for state, means in STATES.items():
            mean = means[index]
            rows.append({"option": option, "scope": state, "metric": "actioned",
                         "unit": "tip-offs", "mean": mean, "ci_low": mean - 1.5,
                         "ci_high": mean + 1.5})
    pd.DataFrame(rows).to_csv(folder / "comparison.csv", index=False)
    low, high = actioned_interval
    paired = [pair("actioned", 540.0, low, high, actioned_verdict, 1304.3),
              pair("lapsed", -3000.0, -3500.0, -2500.0, "better", 366490.3, 0.99286),
              # clear, but 34 in 62,495 is under the 1 % threshold
              pair("downloaded", 34.0, 10.0, 58.0, "no meaningful difference", 62495.0, 0.99),
              pair("charges", 1.0, -5.6, 7.6, "no meaningful difference", 50.0, 0.975)]
    pd.DataFrame(paired).to_csv(folder / "paired_diff.csv", index=False)
    scenario = {"start_date": "2024-01-01", "end_date": "2026-12-31"}
    (folder / "run.json").write_text(json.dumps({
        "options": list(OPTIONS), "seed": 2024, "replications": 3,
        "interval": "95 % t-interval", "scenarios": {o: scenario for o in OPTIONS},
        "packages": {"pandas": "2"}}), encoding="utf-8")
    return folder


def _text(path: Path) -> str:
    """The page's text: tags and embedded images out, entities decoded, spaces collapsed."""
    markup = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", path.read_text("utf-8"))
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_comparison(write_comparison_folder(tmp_path_factory.mktemp("page"),
                                                     (480.0, 600.0)))


def test_writes_a_self_contained_page_without_web_addresses(page: Path) -> None:
    assert page.name == "comparison.html" and page.exists()
    markup = page.read_text("utf-8")
    assert "http://" not in markup and "https://" not in markup
    assert markup.count("data:image/png;base64,") == 2  # options chart, states chart


def test_actioned_sentence_gives_the_recorded_verdict(page: Path) -> None:
    assert ("three_to_four_per_state actions 540 more tip-offs than status_quo over "
            "2024–2026 (adjusted 99.4 % interval 480 to 600): better.") in _text(page)


def test_an_adjusted_interval_spanning_zero_is_no_meaningful_difference(
        tmp_path: Path) -> None:
    text = _text(render_comparison(write_comparison_folder(
        tmp_path, (-20.0, 1100.0), "no meaningful difference")))
    assert ("three_to_four_per_state actions 540 more tip-offs than status_quo over "
            "2024–2026 (adjusted 99.4 % interval -20 to 1,100): no meaningful difference "
            "(the adjusted interval includes zero).") in text


def test_a_difference_under_the_threshold_is_no_meaningful_difference(page: Path) -> None:
    """The unadjusted and adjusted intervals exclude zero: the page keeps the file's verdict."""
    assert ("three_to_four_per_state downloads the evidence of 34 more tip-offs than "
            "status_quo over 2024–2026 (adjusted 99.0 % interval 10 to 58): no meaningful "
            "difference (smaller than 1 % of status_quo's 62,495).") in _text(page)
    assert "better" not in _text(page).split("downloads the evidence of 34")[1].split(".")[0]


def test_fewer_lapsed_is_better(page: Path) -> None:
    assert ("three_to_four_per_state lets 3,000 fewer tip-offs lapse than status_quo over "
            "2024–2026 (adjusted 99.3 % interval -3,500 to -2,500): better.") in _text(page)


def test_the_rule_and_its_threshold_are_printed_beside_the_verdicts(page: Path) -> None:
    text = _text(page)
    rule = ("The rule: better or worse only where the paired 95 % interval, adjusted for the "
            "4 metrics compared (Holm), excludes zero and the difference exceeds 1 % of the "
            "reference's value; otherwise no meaningful difference.")
    meaning = text[text.index("What the differences mean"):text.index("Key outcomes")]
    table = text[text.index("Paired differences, all metrics"):]
    assert rule in meaning and rule in table
    assert "page noise" not in text and "within noise" not in text


def test_the_table_shows_both_intervals_the_threshold_and_the_verdict(page: Path) -> None:
    table = _text(page)[_text(page).index("Paired differences, all metrics"):]
    assert re.search(r"Evidence downloaded three_to_four_per_state − status_quo 34 22 to 46 "
                     r"99\.0 % 10 to 58 625 no meaningful difference", table)
    assert re.search(r"Tip-offs actioned three_to_four_per_state − status_quo 540 510 to 570 "
                     r"99\.4 % 480 to 600 13 better", table)


def test_numbers_match_comparison_csv(page: Path) -> None:
    text = _text(page)
    comparison = pd.read_csv(page.parent / "comparison.csv")
    national = comparison[comparison["scope"] == "national"]
    outcomes = text[text.index("Outcome (national)"):text.index("Paired differences")]
    for metric, label in (("actioned", "Tip-offs actioned"), ("raids", "Raids"),
                          ("lapsed", "Tip-offs lapsed")):
        rows = national[national["metric"] == metric].set_index("option")
        cells = [f"{rows.loc[o, 'mean']:,.0f} [{rows.loc[o, 'ci_low']:,.0f}, "
                 f"{rows.loc[o, 'ci_high']:,.0f}]" for o in OPTIONS]
        assert re.search(re.escape(label) + r"[^0-9]*" + r"\s*".join(
            re.escape(c).replace(r"\ ", r"\s*") for c in cells), outcomes), metric
    states = text[text.index("Tip-offs actioned (tip-offs)"):]
    assert re.search(r"PLS 5\.0 \[3\.5, 6\.5\] 7\.0 \[5\.5, 8\.5\]", states)
    assert re.search(r"SGR 20 \[18, 21\] 20 \[18, 22\]", states)


def test_sentence_wording() -> None:
    def row(metric: str, diff: float, low: float, high: float, verdict: str,
            reference: float = 100.0) -> dict[str, object]:
        return {"metric": metric, "option_a": "b", "option_b": "a", "mean_diff": diff,
                "adjusted_confidence": 0.99375, "adjusted_ci_low": low,
                "adjusted_ci_high": high, "reference_mean": reference, "threshold_share": 0.01,
                "verdict": verdict}

    assert difference_sentence(row("raids", 1.0, 0.2, 1.8, "no meaningful difference")) == (
        "b carries out 1 more raid than a (adjusted 99.4\u00a0% interval 0.2 to 1.8): no "
        "meaningful difference (smaller than 1 % of a's 100).")
    assert difference_sentence(row("arrests", -12.0, -20.0, -4.0, "worse"), "2024") == (
        "b makes 12 fewer arrests than a over 2024 (adjusted 99.4\u00a0% interval -20 to -4): "
        "worse.")
    assert difference_sentence(row("charges", 2.5, -1.0, 6.0, "no meaningful difference")
                               ).startswith("b brings 2.5 more charges than a (adjusted "
                                            "99.4\u00a0% interval -1.0 to 6.0): no meaningful "
                                            "difference (the adjusted interval")
    assert difference_sentence(row("charges", -1.0, math.nan, math.nan,
                                   "no meaningful difference")) == (
        "b brings 1 fewer charge than a (no adjusted interval): no meaningful difference "
        "(too few replications, or too few that differ, to tell).")
    old = {"metric": "raids", "option_a": "b", "option_b": "a", "mean_diff": 3.0}
    assert difference_sentence(old).endswith("no verdict recorded (the folder was written "
                                             "before verdicts; run it again).")
    assert period_text("2024-01-01", "2024-06-30") == "1 Jan 2024 to 30 Jun 2024"


def test_text_from_the_folder_is_escaped(tmp_path: Path) -> None:
    """An option's description with markup is shown as text, not run as HTML."""
    folder = write_comparison_folder(tmp_path, (480.0, 600.0))
    info = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    info["scenarios"][OPTIONS[0]] = {**info["scenarios"][OPTIONS[0]],
                                     "description": "<script>alert(1)</script>"}
    (folder / "run.json").write_text(json.dumps(info), encoding="utf-8")
    markup = render_comparison(folder).read_text("utf-8")
    assert "<script>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup


NEW_NATIONAL = {  # metric: unit, mean of each option
    "closed_after_investigation": ("tip-offs", 649.3, 954.1),
    "charges": ("charges", 60.2, 80.4),
    "high_risk_examined_within_target": ("tip-offs", 3500.0, 3900.0),
    "high_risk_within_target_share": ("fraction of high-risk tip-offs due", 0.15, 0.2),
}


def write_new_comparison_folder(folder: Path) -> Path:
    """The folder above with the outcomes leadership reads, national and by state."""
    write_comparison_folder(folder, (480.0, 600.0))
    comparison = pd.read_csv(folder / "comparison.csv")
    rows = []
    for index, option in enumerate(OPTIONS):
        for metric, (unit, *means) in NEW_NATIONAL.items():
            for scope, share in (("national", 1.0), ("PLS", 0.2), ("SGR", 0.8)):
                mean = means[index] * (1.0 if unit.startswith("fraction") else share)
                rows.append({"option": option, "scope": scope, "metric": metric, "unit": unit,
                             "mean": mean, "ci_low": mean * 0.95, "ci_high": mean * 1.05})
        for scope, share in (("PLS", 0.2), ("SGR", 0.8)):
            mean = NATIONAL["raids"][index] * share
            rows.append({"option": option, "scope": scope, "metric": "raids", "unit": "raids",
                         "mean": mean, "ci_low": mean * 0.9, "ci_high": mean * 1.1})
    pd.concat([comparison, pd.DataFrame(rows)]).to_csv(folder / "comparison.csv", index=False)
    paired = pd.read_csv(folder / "paired_diff.csv")
    paired.loc[len(paired)] = pair("high_risk_within_target_share", 0.05, 0.03, 0.07, "better",
                                   0.15, 0.99)
    paired.loc[len(paired)] = pair("closed_after_investigation", 304.8, 250.0, 360.0, "better",
                                   649.3, 0.99)
    paired.to_csv(folder / "paired_diff.csv", index=False)
    return folder


def test_the_outcomes_leadership_reads_are_compared_nationally_and_by_state(
        tmp_path: Path) -> None:
    page = render_comparison(write_new_comparison_folder(tmp_path))
    text = _text(page)
    assert ("three_to_four_per_state closes 305 more investigations without a raid than "
            "status_quo") in text
    assert ("three_to_four_per_state has share of high-risk tip-offs examined within target "
            "5.0 percentage points higher than status_quo over 2024–2026 (adjusted 99.0 % "
            "interval 3.0 to 7.0): better.") in text
    outcomes = text[text.index("Outcome (national)"):text.index("Paired differences")]
    assert re.search(r"Share of high-risk tip-offs examined within target % of high-risk "
                     r"tip-offs due 15\.0 % \[14\.2 %, 15\.8 %\] 20\.0 %", outcomes)
    assert "Tip-offs actioned (raids + closed without a raid)" in outcomes
    assert outcomes.index("Raids") < outcomes.index("Tip-offs actioned")
    states = text[text.index("By state"):]
    for title in ("Raids (raids)", "Investigations closed without a raid (tip-offs)",
                  "Share of high-risk tip-offs examined within target (% of high-risk "
                  "tip-offs due)"):
        assert title in states
    assert "Raids by state over the horizon" in text
    table = text[text.index("Paired differences, all metrics"):]
    assert re.search(r"Share of high-risk tip-offs examined within target \(percentage "
                     r"points\) three_to_four_per_state − status_quo 5\.0", table)


def test_an_old_folder_says_which_outcomes_it_lacks(page: Path) -> None:
    text = _text(page)
    assert "Not in this folder's comparison.csv (written before they were counted" in text
    assert "Investigations closed without a raid" in text.split("Not in this folder")[1]
