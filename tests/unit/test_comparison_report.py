"""The comparison report: a synthetic comparison folder with known numbers in, HTML out."""

from __future__ import annotations

import html
import json
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


def write_comparison_folder(folder: Path, actioned_interval: tuple[float, float]) -> Path:
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
    paired = [{"option_a": OPTIONS[1], "option_b": OPTIONS[0], "metric": "actioned",
               "mean_diff": 540.0, "ci_low": low, "ci_high": high},
              {"option_a": OPTIONS[1], "option_b": OPTIONS[0], "metric": "lapsed",
               "mean_diff": -3000.0, "ci_low": -3500.0, "ci_high": -2500.0},
              {"option_a": OPTIONS[1], "option_b": OPTIONS[0], "metric": "charges",
               "mean_diff": 1.0, "ci_low": -5.6, "ci_high": 7.6}]
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
def beyond(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_comparison(write_comparison_folder(tmp_path_factory.mktemp("beyond"),
                                                     (480.0, 600.0)))


def test_writes_a_self_contained_page_without_web_addresses(beyond: Path) -> None:
    assert beyond.name == "comparison.html" and beyond.exists()
    markup = beyond.read_text("utf-8")
    assert "http://" not in markup and "https://" not in markup
    assert markup.count("data:image/png;base64,") == 2  # options chart, states chart


def test_actioned_sentence_names_the_better_option_beyond_noise(beyond: Path) -> None:
    assert ("three_to_four_per_state actions 540 more tip-offs than status_quo over "
            "2024–2026 (95 % interval 480 to 600): beyond noise, so three_to_four_per_state "
            "does better.") in _text(beyond)


def test_actioned_sentence_says_within_noise_when_the_interval_spans_zero(
        tmp_path: Path) -> None:
    text = _text(render_comparison(write_comparison_folder(tmp_path, (-20.0, 1100.0))))
    assert ("three_to_four_per_state actions 540 more tip-offs than status_quo over "
            "2024–2026 (95 % interval -20 to 1,100): within noise, so neither option is "
            "shown to do better.") in text


def test_fewer_lapsed_is_better(beyond: Path) -> None:
    assert ("three_to_four_per_state lets 3,000 fewer tip-offs lapse than status_quo over "
            "2024–2026 (95 % interval -3,500 to -2,500): beyond noise, so "
            "three_to_four_per_state does better.") in _text(beyond)


def test_numbers_match_comparison_csv(beyond: Path) -> None:
    text = _text(beyond)
    comparison = pd.read_csv(beyond.parent / "comparison.csv")
    national = comparison[comparison["scope"] == "national"]
    outcomes = text[text.index("Outcome (national)"):text.index("Paired differences")]
    for metric, label in (("actioned", "Tip-offs actioned"), ("raids", "Raids"),
                          ("lapsed", "Tip-offs lapsed")):
        rows = national[national["metric"] == metric].set_index("option")
        cells = [f"{rows.loc[o, 'mean']:,.0f} [{rows.loc[o, 'ci_low']:,.0f}, "
                 f"{rows.loc[o, 'ci_high']:,.0f}]" for o in OPTIONS]
        assert re.search(re.escape(label) + r"[^0-9]*" + r"\s*".join(
            re.escape(c).replace(r"\ ", r"\s*") for c in cells), outcomes), metric
    states = text[text.index("Actioned tip-offs by state"):]
    assert re.search(r"PLS 5\.0 \[3\.5, 6\.5\] 7\.0 \[5\.5, 8\.5\]", states)
    assert re.search(r"SGR 20 \[18, 21\] 20 \[18, 22\]", states)


def test_sentence_wording() -> None:
    assert difference_sentence("raids", "b", "a", 1.0, 0.2, 1.8) == (
        "b carries out 1 more raid than a (95 % interval 0.2 to 1.8): beyond noise, so b "
        "does better.")
    assert difference_sentence("arrests", "b", "a", -12.0, -20.0, -4.0, "2024") == (
        "b makes 12 fewer arrests than a over 2024 (95 % interval -20 to -4): beyond noise, "
        "so a does better.")
    assert difference_sentence("charges", "b", "a", 2.5, -1.0, 6.0).startswith(
        "b brings 2.5 more charges than a (95 % interval -1.0 to 6.0): within noise")
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
