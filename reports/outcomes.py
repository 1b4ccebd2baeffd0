"""The outcomes leadership reads, named once for every report, the console and the proposal.

Raids, arrests and charges; investigations closed without a raid on a line of their own
(never added to raids); evidence downloaded; and the high-risk tip-offs: received,
examined (downloaded and reviewed), examined within their target days, that share, and
lapsed.  "Actioned" stays in the tables, last and explained, because it adds paper
closures to raids and so is no headline.  Labels, units and meanings come from the metric
catalogue (:mod:`model.metrics`); a folder written before a metric existed simply lacks
its rows, and :func:`absent` names them so a report can say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from model.metrics import label

LEADERSHIP_METRICS: tuple[str, ...] = (
    "raids", "arrests", "charges", "closed_after_investigation", "downloaded",
    "high_risk_received", "high_risk_examined", "high_risk_examined_within_target",
    "high_risk_within_target_share", "high_risk_lapsed")
"""The outcomes every report leads with, national and by state, in this order."""

ENFORCEMENT_METRICS: tuple[str, ...] = ("raids", "arrests", "charges",
                                        "closed_after_investigation", "downloaded")
"""What the states and HQ achieve: the first half of :data:`LEADERSHIP_METRICS`."""

HIGH_RISK_METRICS: tuple[str, ...] = (
    "high_risk_received", "high_risk_examined", "high_risk_examined_within_target",
    "high_risk_within_target_share", "high_risk_lapsed")
"""The high-risk tip-offs: the second half of :data:`LEADERSHIP_METRICS`."""

SHARE_METRIC = "high_risk_within_target_share"
"""The one share among the outcomes: a fraction, shown as a percentage with its interval."""

CHART_METRICS: tuple[str, ...] = (
    "raids", "arrests", "charges", "closed_after_investigation", "downloaded",
    "high_risk_examined_within_target", "high_risk_within_target_share")
"""The outcomes a chart of options gives a panel each (a table gives the rest)."""

OLD_CHART_METRICS: tuple[str, ...] = ("actioned", "downloaded", "raids", "arrests", "lapsed")
"""The panels for a folder written before closures and high-risk tip-offs were counted."""

ACTIONED = "actioned"
"""Raids plus investigations closed without a raid: shown last, with :data:`ACTIONED_NOTE`."""

ACTIONED_NOTE = ("raids plus investigations closed without a raid (closures on paper); "
                 "not a count of raids, so never the headline")
"""What "actioned" adds up, in the words every English report uses."""


def absent(present: Iterable[str], wanted: Sequence[str] = LEADERSHIP_METRICS) -> list[str]:
    """The metrics of ``wanted`` a folder's tables lack, in ``wanted``'s order."""
    have = set(present)
    return [metric for metric in wanted if metric not in have]


def absent_sentence(missing: Sequence[str], file_name: str) -> str:
    """What a report says of outcomes its folder lacks; empty when none is missing.

    For example "Not in this folder's summary.csv (written before they were counted;
    run it again to see them): Raids, Arrests."
    """
    if not missing:
        return ""
    names = ", ".join(label(metric) for metric in missing)
    return (f"Not in this folder's {file_name} (written before they were counted; run it "
            f"again to see them): {names}.")


def chart_metrics(present: Iterable[str]) -> list[str]:
    """The panels of an options chart for a folder holding ``present`` metrics, in order."""
    have = set(present)
    wanted = CHART_METRICS if "closed_after_investigation" in have else OLD_CHART_METRICS
    return [metric for metric in wanted if metric in have]
