"""What a run prints: the outcomes leadership reads, with units, national and by state."""

from __future__ import annotations

import pandas as pd

from reports.console import headline

ROWS = (("tipoffs_received", "tip-offs", 1000.0), ("raids", "raids", 50.0),
        ("arrests", "arrests", 20.0), ("closed_after_investigation", "tip-offs", 40.0),
        ("high_risk_within_target_share", "fraction of high-risk tip-offs due", 0.83),
        ("actioned", "tip-offs", 90.0), ("lapsed", "tip-offs", 300.0))


def summary(metrics: tuple[tuple[str, str, float], ...] = ROWS) -> pd.DataFrame:
    rows = [{"scope": scope, "metric": metric, "unit": unit, "mean": mean * share,
             "ci_low": mean * share * 0.9, "ci_high": mean * share * 1.1}
            for scope, share in (("national", 1.0), ("SGR", 0.5))
            for metric, unit, mean in metrics]
    return pd.DataFrame(rows)


def test_raids_lead_closures_stand_apart_and_actioned_is_explained() -> None:
    text = headline(summary(), "run", "95 % interval")
    lines = text.splitlines()
    names = [line.split("  ")[1].strip() for line in lines[2:8]]
    assert names[:3] == ["Tip-offs received", "Raids", "Arrests"]
    assert any(line.strip().startswith("Investigations closed without a raid") and
               line.rstrip().endswith("tip-offs") for line in lines)
    share = next(line for line in lines if "Share of high-risk" in line)
    assert "83.0 %" in share and "[74.7 %, 91.3 %]" in share
    assert "actioned = raids plus investigations closed without a raid" in text
    assert text.index("Raids") < text.index("Tip-offs actioned")
    state = next(line for line in lines if line.strip().startswith("SGR"))
    assert "25" in state and "41.5 %" in state


def test_a_summary_written_before_the_new_outcomes_names_what_it_lacks() -> None:
    old = tuple(row for row in ROWS if row[0] in ("tipoffs_received", "raids", "actioned",
                                                   "lapsed"))
    text = headline(summary(old), "run", "95 % interval")
    assert "not in these results: arrests, charges, closed_after_investigation" in text
    assert "Raids" in text


def test_the_optimisers_progress_lines_show_unless_quiet(capsys) -> None:
    """The solvers log their progress; the command line shows it on stderr, or not at all."""
    import logging

    from reports.console import show_progress_lines

    show_progress_lines("solvers", quiet=False)
    logging.getLogger("solvers.loop").info("selection: KN chose a")
    show_progress_lines("solvers", quiet=True)
    logging.getLogger("solvers.loop").info("regret: 3 finalists")
    captured = capsys.readouterr()
    assert captured.err == "selection: KN chose a\n" and captured.out == ""
    show_progress_lines("solvers", quiet=False)  # twice: still one line a record
    logging.getLogger("solvers.pilot").info("pilot 1")
    assert capsys.readouterr().err == "pilot 1\n"
