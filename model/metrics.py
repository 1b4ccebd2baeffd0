"""The one catalogue of outcome metrics: name, unit, label, meaning, and which way is better.

Every result table, report and page reads a metric's unit and words from here, so a
metric is defined once.  The module depends on nothing else of ours: the engine
computes the metrics, and reports (which may import nothing else from ``model``) label
them.  It also holds the one rule that calls a paired difference ``better`` or ``worse``
(:func:`verdict`, with its wording in :func:`rule_text`); the statistics behind it (paired
intervals adjusted for the number of metrics compared) are computed in
``model.experiments.comparisons``.
"""

from __future__ import annotations

from dataclasses import dataclass

NATIONAL = "national"
"""The ``scope`` of national figures (the other scopes are state codes)."""

HQ = "hq"
"""The ``scope`` of headquarters' own levers and staff."""

WHOLE_HORIZON = 0
"""The ``year`` given to metrics over the whole horizon."""


@dataclass(frozen=True)
class Phrase:
    """How a difference in a metric reads in a sentence: "B *carries out* 12 more *raids*".

    Attributes
    ----------
    verb : str
        The words before the amount ("carries out").
    one, many : str
        The noun for one and for several ("raid", "raids").
    after : str
        Words after the noun, with their leading space (" lapse"); none by default.
    """

    verb: str
    one: str
    many: str
    after: str = ""


@dataclass(frozen=True)
class Metric:
    """One outcome metric: how it is named, measured and read.

    Attributes
    ----------
    name : str
        The ``metric`` column's value in every result table.
    unit : str
        The ``unit`` column's value.
    label : str
        Short English label for charts and tables.
    label_ms : str
        The same in Bahasa Melayu (the proposal's language option).
    meaning : str
        What the figure counts, in one phrase.
    fewer_is_better : bool
        True where a lower value is the better outcome (lapses, delays).
    short_label : str
        A column heading or axis tick where the table or chart already says what is
        counted ("Received"); empty where the label is short enough.
    phrase : Phrase or None
        How a difference in the metric reads in a sentence; None where no report says one.
    """

    name: str
    unit: str
    label: str
    label_ms: str
    meaning: str
    fewer_is_better: bool = False
    short_label: str = ""
    phrase: Phrase | None = None

    def label_in(self, language: str) -> str:
        """The label in ``en`` or ``ms``."""
        return self.label_ms if language == "ms" else self.label


_FRACTION_OF_DUTY = "fraction of on-duty time"

CATALOGUE: tuple[Metric, ...] = (
    Metric("tipoffs_received", "tip-offs", "Tip-offs received", "Tip-off diterima",
           "international referrals and local reports", short_label="Received"),
    Metric("local_reports_received", "tip-offs", "Local reports received",
           "Laporan tempatan diterima",
           "reports lodged by the public in Malaysia (awareness campaigns raise them)",
           short_label="Local reports",
           phrase=Phrase("receives", "local report", "local reports")),
    Metric("selected_for_download", "tip-offs", "Selected", "Dipilih",
           "chosen by HQ for download"),
    Metric("downloaded", "tip-offs", "Evidence downloaded", "Bahan bukti dimuat turun",
           "tip-offs whose material reached HQ", short_label="Downloaded",
           phrase=Phrase("downloads the evidence of", "tip-off", "tip-offs")),
    Metric("reviewed", "tip-offs", "Tip-offs reviewed", "Tip-off disemak",
           "verified by the HQ forensic team", short_label="Reviewed",
           phrase=Phrase("reviews", "tip-off", "tip-offs")),
    Metric("investigated", "tip-offs", "Tip-offs investigated", "Tip-off disiasat",
           "investigations finished by a state", short_label="Investigated",
           phrase=Phrase("investigates", "tip-off", "tip-offs")),
    Metric("raids", "raids", "Raids", "Serbuan", "led by a state officer",
           phrase=Phrase("carries out", "raid", "raids")),
    Metric("arrests", "arrests", "Arrests", "Tangkapan", "at raids",
           phrase=Phrase("makes", "arrest", "arrests")),
    Metric("charges", "charges", "Charges", "Pertuduhan",
           "after the seized devices were examined",
           phrase=Phrase("brings", "charge", "charges")),
    Metric("closed_after_investigation", "tip-offs", "Investigations closed without a raid",
           "Siasatan ditutup tanpa serbuan",
           "investigated by a state, then closed with a documented decision and no raid "
           "(never counted as raids)", short_label="Closed, no raid",
           phrase=Phrase("closes", "investigation", "investigations", " without a raid")),
    Metric("lapsed", "tip-offs", "Tip-offs lapsed (evidence no longer held)",
           "Tip-off luput (bahan bukti tidak lagi disimpan)",
           "not selected within the retention window, so no longer traceable",
           fewer_is_better=True, short_label="Lapsed",
           phrase=Phrase("lets", "tip-off", "tip-offs", " lapse")),
    Metric("lapsed_after_selection", "tip-offs", "Cases lapsed at the states (evidence stale)",
           "Kes luput di kontinjen negeri (bukti sudah lapuk)",
           "identified, but older than the stale age before the state started the casework",
           fewer_is_better=True, short_label="Lapsed at states",
           phrase=Phrase("lets", "case", "cases", " go stale at the states")),
    Metric("closed_no_action", "tip-offs", "Closed without action", "Ditutup tanpa tindakan",
           "subscriber not identified, or not actionable"),
    Metric("actioned", "tip-offs", "Tip-offs actioned", "Tip-off diambil tindakan",
           "closed after a raid or a documented investigation decision: raids plus "
           "investigations closed without a raid", short_label="Actioned",
           phrase=Phrase("actions", "tip-off", "tip-offs")),
    Metric("high_risk_received", "tip-offs", "High-risk tip-offs received",
           "Tip-off berisiko tinggi diterima",
           "tip-offs flagged high risk (arrivals.high_priority_share) that arrived",
           short_label="High-risk received"),
    Metric("high_risk_examined", "tip-offs", "High-risk tip-offs examined",
           "Tip-off berisiko tinggi diperiksa",
           "high-risk tip-offs downloaded and reviewed at HQ (the reviewer finished)",
           short_label="High-risk examined",
           phrase=Phrase("examines", "high-risk tip-off", "high-risk tip-offs")),
    Metric("high_risk_due", "tip-offs", "High-risk tip-offs due within the horizon",
           "Tip-off berisiko tinggi yang perlu diperiksa dalam tempoh",
           "high-risk tip-offs that arrived whose target day (arrival plus "
           "risk.high_target_days) falls inside the horizon", short_label="High-risk due"),
    Metric("high_risk_examined_within_target", "tip-offs",
           "High-risk tip-offs examined within target",
           "Tip-off berisiko tinggi diperiksa dalam tempoh sasaran",
           "of the high-risk tip-offs due, those examined by their target day",
           short_label="Examined in target",
           phrase=Phrase("examines", "high-risk tip-off", "high-risk tip-offs",
                         " within target")),
    Metric("high_risk_within_target_share", "fraction of high-risk tip-offs due",
           "Share of high-risk tip-offs examined within target",
           "Bahagian tip-off berisiko tinggi diperiksa dalam tempoh sasaran",
           "examined within target as a share of those due (none due: undefined)",
           short_label="Share in target"),
    Metric("high_risk_lapsed", "tip-offs", "High-risk tip-offs lapsed",
           "Tip-off berisiko tinggi luput",
           "high-risk tip-offs that lapsed unselected or went stale at the states",
           fewer_is_better=True, short_label="High-risk lapsed",
           phrase=Phrase("lets", "high-risk tip-off", "high-risk tip-offs", " lapse")),
    Metric("initial_backlog", "tip-offs", "In the system at the start",
           "Dalam sistem pada permulaan", "tip-offs already in the pipeline on day one"),
    Metric("in_system_at_end", "tip-offs", "In the system at the end",
           "Dalam sistem pada penghujung", "received but not closed by the last day"),
    Metric("backlog_at_end", "tip-offs", "Backlog (waiting for selection)",
           "Tunggakan (menunggu pemilihan)", "received, not yet selected nor lapsed"),
    Metric("downloaded_share", "fraction of received", "Share downloaded",
           "Bahagian dimuat turun", "downloaded as a share of received"),
    Metric("days_to_download_mean", "days", "Days to download (mean)",
           "Hari hingga dimuat turun (min)", "from arrival, over tip-offs downloaded",
           fewer_is_better=True),
    Metric("days_to_download_p90", "days", "Days to download (90th percentile)",
           "Hari hingga dimuat turun (persentil ke-90)",
           "from arrival, over tip-offs downloaded", fewer_is_better=True),
    Metric("days_to_raid_mean", "days", "Days to raid", "Hari hingga serbuan",
           "from arrival, over tip-offs raided", fewer_is_better=True),
    Metric("utilisation_bandwidth", "fraction of usable capacity", "Line busy",
           "Talian digunakan", "traffic as a share of the usable line rate"),
    Metric("utilisation_hq_download_team", _FRACTION_OF_DUTY, "HQ download team busy",
           "Pasukan muat turun IP sibuk", "triaging, as a share of on-duty time"),
    Metric("utilisation_hq_forensic_team", _FRACTION_OF_DUTY, "HQ forensic team busy",
           "Pasukan forensik IP sibuk", "reviewing and examining devices"),
    Metric("utilisation_officers", _FRACTION_OF_DUTY, "Officers busy", "Pegawai sibuk",
           "state officers at investigation and raids"),
    Metric("utilisation_lower_ranks", _FRACTION_OF_DUTY, "Lower ranks busy",
           "Anggota pangkat rendah sibuk", "state lower ranks at casework"),
)
"""Every metric the product reports, in report order."""

METRICS: dict[str, Metric] = {metric.name: metric for metric in CATALOGUE}
"""The catalogue by name."""

METRIC_UNITS: dict[str, str] = {metric.name: metric.unit for metric in CATALOGUE}
"""Every metric's unit, in report order."""

MONTHLY_METRICS: dict[str, str] = {
    name: METRICS[name].unit
    for name in ("tipoffs_received", "downloaded", "lapsed", "lapsed_after_selection",
                 "actioned", "raids", "backlog_at_end", "in_system_at_end")
}
"""National monthly series (flows in the month, stocks at its end), in file order."""

FUNNEL: tuple[str, ...] = ("tipoffs_received", "selected_for_download", "downloaded",
                           "reviewed", "investigated", "raids", "arrests", "charges")
"""The pipeline's stages in order, as metrics."""


SUMMARY_COLUMNS = ["scope", "metric", "unit", "mean", "ci_low", "ci_high"]
"""Columns of a summary of metrics over replications (``summary.csv``)."""
YEARLY_COLUMNS = ["year", *SUMMARY_COLUMNS]
"""The same per calendar year (``yearly.csv``)."""
REPLICATION_COLUMNS = ["replication", "scope", "metric", "value"]
"""Each replication's raw value (``replications.csv``), for paired comparisons."""
MONTHLY_COLUMNS = ["month", "metric", "unit", "mean", "ci_low", "ci_high"]
"""National monthly series (``monthly.csv``)."""
DELAY_COLUMNS = ["stage", "quantile", "unit", "mean", "ci_low", "ci_high"]
"""National delay quantiles in days (``delays.csv``)."""
UTILISATION_COLUMNS = ["scope", "group", "busy", "busy_ci_low", "busy_ci_high", "blocked",
                       "blocked_ci_low", "blocked_ci_high", "idle", "idle_ci_low",
                       "idle_ci_high"]
"""Shares of on-duty time (``utilisation.csv``): busy, blocked (holding work the next stage
cannot take yet) and idle, each a mean with its interval; ``scope`` ``hq`` (groups
``download_team``, ``forensic_team``, ``line``), ``national`` or a state code (groups
``officers``, ``lower_ranks``)."""
UTILISATION_SHARES = ("busy", "blocked", "idle")
"""The parts of on-duty time in ``utilisation.csv``, which add up to one."""
COMPARISON_COLUMNS = ["option", "scope", "metric", "unit", "mean", "ci_low", "ci_high"]
"""Options side by side (``comparison.csv``)."""
PAIRED_COLUMNS = ["option_a", "option_b", "metric", "mean_diff", "ci_low", "ci_high",
                  "reference_mean", "p_value", "adjusted_confidence", "adjusted_ci_low",
                  "adjusted_ci_high", "threshold_share", "verdict"]
"""Paired differences, option a minus option b (``paired_diff.csv``): the mean difference and
its unadjusted 95 % interval; option b's mean (the reference); the p-value of the paired
t-test (of the sign test where every difference is the same);
the interval at the confidence Holm's adjustment gives the metric, and its ends; the
practical threshold as a share of the reference; and the :func:`verdict` for option a."""


def label(name: str, language: str = "en") -> str:
    """A metric's label, or its name in words when the catalogue does not know it."""
    metric = METRICS.get(name)
    return metric.label_in(language) if metric else name.replace("_", " ")


def short_label(name: str) -> str:
    """A metric's short label (a column heading, an axis tick), else its label."""
    metric = METRICS.get(name)
    return (metric.short_label or metric.label) if metric else label(name)


def fewer_is_better(name: str) -> bool:
    """Whether a lower value of the metric is the better outcome."""
    metric = METRICS.get(name)
    return bool(metric and metric.fewer_is_better)


def beyond_noise(low: float, high: float) -> bool:
    """Whether an interval ``[low, high]`` excludes zero (a NaN interval never does).

    Not by itself a reason to call an option better: :func:`verdict` asks it of an
    interval adjusted for the number of metrics compared, and asks for a difference
    that matters as well.
    """
    return low > 0 or high < 0


BETTER = "better"
"""The verdict when option a does better than option b, by the rule of :func:`verdict`."""
WORSE = "worse"
"""The verdict when option a does worse than option b."""
NO_MEANINGFUL_DIFFERENCE = "no meaningful difference"
"""The verdict otherwise: noise, or a difference too small to matter."""
VERDICTS = (BETTER, WORSE, NO_MEANINGFUL_DIFFERENCE)
"""Every value of ``paired_diff.csv``'s ``verdict`` column."""

FAMILY_CONFIDENCE = 0.95
"""Confidence of the family of metrics compared in one pair of options (Holm's 1 - alpha)."""
DEFAULT_THRESHOLD_SHARE = 0.01
"""The practical threshold by default: a difference must exceed 1 % of the reference's mean."""


def exceeds_threshold(mean_diff: float, reference_mean: float, threshold_share: float) -> bool:
    """Whether ``|mean_diff|`` exceeds ``threshold_share`` of ``|reference_mean|``."""
    return abs(mean_diff) > threshold_share * abs(reference_mean)


def verdict(metric: str, mean_diff: float, adjusted_low: float, adjusted_high: float,
            reference_mean: float, threshold_share: float = DEFAULT_THRESHOLD_SHARE) -> str:
    """The one rule for calling option a ``better`` or ``worse`` than option b in a metric.

    Parameters
    ----------
    metric : str
        The metric's name; where fewer is better (lapses, delays) a fall is ``better``.
    mean_diff : float
        The mean paired difference, option a minus option b.
    adjusted_low, adjusted_high : float
        The paired interval adjusted for the number of metrics compared in the pair
        (Holm's step-down; ``model.experiments.comparisons.paired_verdicts``).
    reference_mean : float
        Option b's mean of the metric.
    threshold_share : float, optional
        The practical threshold as a share of the reference's mean (default 0.01).

    Returns
    -------
    str
        ``better`` or ``worse`` only when the adjusted interval excludes zero AND the
        difference exceeds the threshold; otherwise ``no meaningful difference``.  A NaN
        interval (fewer than two replications) never excludes zero.
    """
    if not (beyond_noise(adjusted_low, adjusted_high)
            and exceeds_threshold(mean_diff, reference_mean, threshold_share)):
        return NO_MEANINGFUL_DIFFERENCE
    return BETTER if (mean_diff > 0) != fewer_is_better(metric) else WORSE


def rule_text(metrics_compared: int, threshold_share: float = DEFAULT_THRESHOLD_SHARE) -> str:
    """The rule of :func:`verdict` in words, to print beside the verdicts.

    For example "better or worse only where the paired 95 % interval, adjusted for the 8
    metrics compared (Holm), excludes zero and the difference exceeds 1 % of the
    reference's value; otherwise no meaningful difference".
    """
    metrics = f"{metrics_compared} metric{'' if metrics_compared == 1 else 's'}"
    return (f"{BETTER} or {WORSE} only where the paired {share_text(FAMILY_CONFIDENCE)} "
            f"interval, adjusted for the {metrics} compared (Holm), excludes zero and the "
            f"difference exceeds {share_text(threshold_share)} of the reference's value; "
            f"otherwise {NO_MEANINGFUL_DIFFERENCE}")


def share_text(share: float) -> str:
    """A share as a percentage in words: ``0.01`` is "1 %", ``0.005`` is "0.5 %"."""
    return f"{share * 100:.10g} %"
