"""Budget proposal of an optimised plan: an A4 PDF paper and an Excel workbook, English or Malay.

Reads an optimisation run folder (``plan.csv``, ``summary.csv``, ``option_status_quo.csv``,
``paired_diff.csv``, ``marginal.csv``, ``run.json``) and never runs a simulation or a solver.
The paper follows the order of a Malaysian government budget paper: purpose, background,
justification, financial implications, recommendation; an appendix lists the assumptions
and the published facts the plan rests on.  Both languages carry the same numbers.

Costs are taken as they are in ``plan.csv`` (their sum is the plan's total).  Each line is
one-off (set-up of new posts, moves, training places, installing a line) or recurring
(salaries, line rental, campaigns); one-off costs fall in the first year of the horizon and
recurring costs are spread over its calendar years in proportion to the share of each year
the horizon covers, so full years get equal parts.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import matplotlib
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.ft2font import LoadFlags
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from reports.figures import plot_costs_by_year, plot_option_grid
from reports.formatting import format_count, format_parameter

Language = Literal["en", "ms"]
Kind = Literal["one_off", "recurring"]

PDF_NAME = "proposal.pdf"
WORKBOOK_NAME = "proposal.xlsx"
OPTIMISED = "optimised"
STATUS_QUO = "status_quo"
NATIONAL = "national"
DASH = "–"

SHEET_NAMES: dict[str, tuple[str, str, str]] = {
    "en": ("Line items", "Outcomes", "Assumptions"),
    "ms": ("Butiran kos", "Hasil", "Andaian"),
}
"""Sheet names of the workbook by language: cost lines, outcomes, assumptions."""

KEY_METRICS = ("actioned", "downloaded", "raids", "arrests", "lapsed")
FEWER_IS_BETTER = frozenset({"lapsed"})
RM_FORMAT = "#,##0"

MALAY_MAIL = "D11, Malay Mail, 1 Feb 2024"

# ---------------------------------------------------------------------------------------
# Words in both languages
# ---------------------------------------------------------------------------------------

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Budget proposal: resources for MICAC (D11, PDRM), {period}",
        "subtitle": "Plan {name}; simulated with {reps} replications, seed {seed}; "
                    "run finished {finished}",
        "purpose": "1. Purpose",
        "background": "2. Background",
        "justification": "3. Justification",
        "financial": "4. Financial implications",
        "recommendation": "5. Recommendation",
        "appendix": "Appendix A: Assumptions and sources",
        "purpose_text": "This paper seeks consideration and approval of {total} over {period} for "
                        "the Malaysia Internet Crime Against Children unit (MICAC) of the Sexual, "
                        "Women and Child Investigation Division (D11), Criminal Investigation "
                        "Department, Royal Malaysia Police: {total_of_envelope}.",
        "pays_for": "It pays for {parts}, bringing MICAC to {posts} posts.",
        "envelope": "{total} of the {envelope} envelope",
        "and": "and",
        "new_posts": "{n} new {rank} posts",
        "rank_officers": "officer",
        "rank_lower_ranks": "lower-rank",
        "moved": "{n} posts moved between headquarters and the states",
        "places": "{n} training places",
        "bandwidth": "a {mbps} Mbps internet line",
        "campaigns": "{n} awareness campaigns a year across the states",
        "background_intro": "Published facts (the source follows each):",
        "method": "The plan was chosen by an optimiser and then checked in a simulation of "
                  "MICAC's work, from tip-off to arrest, over {period}: {reps} replications "
                  "with seed {seed}. Each figure is the mean over the replications with its "
                  "{interval}. Differences are paired: every option met the "
                  "same random tip-offs, so a difference whose 95 % interval excludes zero "
                  "is beyond noise.",
        "solver": "The solver's status was {status} (optimality gap {gap}); the plan was "
                  "checked against the simulation in {rounds} rounds and {stable}.",
        "stable_yes": "was stable between the last rounds",
        "stable_no": "had not settled between the last rounds, so it is a good plan rather "
                     "than a proven best one",
        "outcomes_caption": "Expected outcomes over {period}, national (mean [95 % interval])",
        "metric": "Outcome",
        "this_plan": "This plan",
        "difference": "Difference",
        "vs": "vs",
        "versus": "Difference against other options (this plan minus the option, "
                  "mean [95 % interval])",
        "sentence": "{label}: {amount} {direction} than {option} (95 % interval {low} to "
                    "{high}): {verdict}.",
        "more": "more",
        "fewer": "fewer",
        "same": "the same as",
        "better": "better",
        "worse": "worse",
        "beyond": "beyond noise",
        "within": "within noise",
        "marginal_title": "Marginal values: what one more unit of a lever would add",
        "marginal_text": "The solver's estimate comes from the optimiser's simplified model; "
                         "the simulated gain, where measured, from re-running the simulation "
                         "with the change. A dash means not measured.",
        "lever": "Change",
        "where": "Where",
        "model_gain": "Solver's estimate",
        "extra_cost": "Extra cost (RM)",
        "simulated_gain": "Simulated gain [95 % interval]",
        "financial_text": "The plan costs {total_of_envelope}, leaving {remaining}. Of this, "
                          "{one_off} is one-off (set-up of new posts, moves, training places, "
                          "installing a line), charged in {first_year}, and {recurring} "
                          "recurs (salaries, line rental, campaigns), spread over the calendar "
                          "years of the horizon in proportion to the part of each year it "
                          "covers.",
        "cost_lines": "Cost lines",
        "item": "Item",
        "category": "Category",
        "scope": "Where",
        "quantity": "Quantity",
        "unit": "Unit",
        "one_off": "One-off (RM)",
        "recurring": "Recurring (RM)",
        "total": "Total (RM)",
        "total_row": "Total",
        "envelope_row": "Envelope",
        "remaining_row": "Remaining",
        "by_year": "Cost by year",
        "year": "Year",
        "posts_by_state": "Posts, trained officers and campaigns by state in the plan",
        "state": "State",
        "recommendation_text": "It is recommended that the proposal be considered and "
                               "approved: {total} over {period} for MICAC (D11, PDRM), {one_off} "
                               "one-off and {recurring} recurring, within the {envelope} "
                               "envelope; and that MICAC report its actioned tip-offs, raids and "
                               "arrests each year against the ranges expected above, so that "
                               "the plan can be reviewed.",
        "assumptions_text": "Parameters of the simulation with their plausible range and "
                            "source or reasoning, as recorded in the run (notes in English).",
        "facts_title": "Published facts used",
        "parameter": "Parameter",
        "value": "Value",
        "low": "Low",
        "high": "High",
        "range": "Range",
        "note": "Note or source",
        "fact": "Fact",
        "source": "Source",
        "page": "Page {page} of {pages}",
        "chart_title": "Cost by year and category",
        "chart_options": "National outcomes of each option over {period} (mean and 95 % "
                         "interval)",
        "chart_xlabel": "year",
        "chart_ylabel": "cost (RM million)",
        "chart_one_off": "one-off (hatched)",
        "chart_recurring": "recurring (solid)",
        "mean": "mean",
        "description": "Description",
        "code": "Code",
        "lever_code": "Lever",
    },
    "ms": {
        "title": "Kertas cadangan bajet: sumber MICAC (D11, PDRM), {period}",
        "subtitle": "Pelan {name}; disimulasikan dengan {reps} replikasi, benih rawak {seed}; "
                    "larian selesai {finished}",
        "purpose": "1. Tujuan",
        "background": "2. Latar Belakang",
        "justification": "3. Justifikasi",
        "financial": "4. Implikasi Kewangan",
        "recommendation": "5. Syor",
        "appendix": "Lampiran A: Andaian dan Sumber",
        "purpose_text": "Kertas ini bertujuan untuk memohon pertimbangan dan kelulusan "
                        "peruntukan sebanyak {total} bagi tempoh {period} untuk Unit Malaysia "
                        "Internet Crime Against Children (MICAC), Bahagian Siasatan Seksual, "
                        "Wanita dan Kanak-kanak (D11), Jabatan Siasatan Jenayah, Polis Diraja "
                        "Malaysia: {total_of_envelope}.",
        "pays_for": "Peruntukan ini adalah bagi {parts}, menjadikan jumlah jawatan MICAC "
                    "{posts}.",
        "envelope": "{total} daripada siling {envelope}",
        "and": "dan",
        "new_posts": "{n} jawatan baharu {rank}",
        "rank_officers": "pegawai",
        "rank_lower_ranks": "anggota pangkat rendah",
        "moved": "{n} jawatan dipindahkan antara Ibu Pejabat dan negeri",
        "places": "{n} tempat latihan",
        "bandwidth": "talian internet {mbps} Mbps",
        "campaigns": "{n} kempen kesedaran setahun di seluruh negeri",
        "background_intro": "Fakta yang telah diterbitkan (sumber dinyatakan selepas setiap "
                            "fakta):",
        "method": "Pelan ini dipilih oleh model pengoptimuman dan kemudian diuji dalam simulasi "
                  "proses kerja MICAC, daripada penerimaan tip-off hingga tangkapan, bagi "
                  "tempoh {period}: {reps} replikasi dengan benih rawak {seed}. Setiap angka "
                  "ialah min bagi semua replikasi beserta {interval}. Perbezaan "
                  "diukur secara berpasangan: setiap pilihan menerima tip-off rawak yang "
                  "sama, maka perbezaan yang selang 95 %-nya tidak merangkumi sifar bukan "
                  "disebabkan oleh variasi rawak.",
        "solver": "Status penyelesai ialah {status} (jurang keoptimuman {gap}); pelan ini "
                  "disemak berbanding simulasi dalam {rounds} pusingan dan {stable}.",
        "stable_yes": "kekal stabil antara pusingan terakhir",
        "stable_no": "belum stabil antara pusingan terakhir, maka ia pelan yang baik tetapi "
                     "belum terbukti yang terbaik",
        "outcomes_caption": "Hasil jangkaan bagi tempoh {period}, peringkat nasional "
                            "(min [selang 95 %])",
        "metric": "Hasil",
        "this_plan": "Pelan ini",
        "difference": "Perbezaan",
        "vs": "berbanding",
        "versus": "Perbezaan berbanding pilihan lain (pelan ini tolak pilihan tersebut, "
                  "min [selang 95 %])",
        "sentence": "{label}: {amount} {direction} berbanding {option} (selang 95 %: {low} "
                    "hingga {high}): {verdict}.",
        "more": "lebih banyak",
        "fewer": "lebih sedikit",
        "same": "sama",
        "better": "lebih baik",
        "worse": "lebih buruk",
        "beyond": "melebihi variasi rawak",
        "within": "dalam lingkungan variasi rawak",
        "marginal_title": "Nilai marginal: tambahan hasil bagi satu unit tambahan setiap tuil",
        "marginal_text": "Anggaran penyelesai diperoleh daripada model ringkas pengoptimum; "
                         "tambahan simulasi, jika diukur, diperoleh dengan mengulang simulasi "
                         "dengan perubahan tersebut. Sengkang bermaksud tidak diukur.",
        "lever": "Perubahan",
        "where": "Lokasi",
        "model_gain": "Anggaran penyelesai",
        "extra_cost": "Kos tambahan (RM)",
        "simulated_gain": "Tambahan simulasi [selang 95 %]",
        "financial_text": "Kos pelan ini ialah {total_of_envelope}, dengan baki {remaining}. "
                          "Daripada jumlah ini, {one_off} ialah kos sekali sahaja (persediaan "
                          "jawatan baharu, pemindahan, tempat latihan, pemasangan talian) yang "
                          "dicaj pada {first_year}, dan {recurring} ialah kos berulang (gaji, "
                          "sewa talian, kempen) yang diagihkan mengikut tahun kalendar dalam "
                          "tempoh pelan, berkadar dengan bahagian setiap tahun yang diliputi.",
        "cost_lines": "Butiran kos",
        "item": "Butiran",
        "category": "Kategori",
        "scope": "Lokasi",
        "quantity": "Kuantiti",
        "unit": "Unit",
        "one_off": "Sekali sahaja (RM)",
        "recurring": "Berulang (RM)",
        "total": "Jumlah (RM)",
        "total_row": "Jumlah",
        "envelope_row": "Siling",
        "remaining_row": "Baki",
        "by_year": "Kos mengikut tahun",
        "year": "Tahun",
        "posts_by_state": "Jawatan, pegawai terlatih dan kempen mengikut negeri dalam pelan",
        "state": "Negeri",
        "recommendation_text": "Sehubungan itu, adalah disyorkan agar cadangan ini "
                               "dipertimbangkan dan diluluskan: peruntukan sebanyak {total} "
                               "bagi tempoh {period} untuk MICAC (D11, PDRM), iaitu {one_off} "
                               "kos sekali sahaja dan {recurring} kos berulang, dalam "
                               "lingkungan siling {envelope}; dan agar MICAC melaporkan "
                               "tip-off yang diambil tindakan, serbuan dan tangkapan setiap "
                               "tahun berbanding julat jangkaan di atas bagi tujuan semakan "
                               "pelan.",
        "assumptions_text": "Parameter simulasi beserta julat munasabah dan sumber atau "
                            "alasannya, seperti yang direkodkan dalam larian (catatan dalam "
                            "bahasa Inggeris).",
        "facts_title": "Fakta terbitan yang digunakan",
        "parameter": "Parameter",
        "value": "Nilai",
        "low": "Rendah",
        "high": "Tinggi",
        "range": "Julat",
        "note": "Catatan atau sumber",
        "fact": "Fakta",
        "source": "Sumber",
        "page": "Muka surat {page} daripada {pages}",
        "chart_title": "Kos mengikut tahun dan kategori",
        "chart_options": "Hasil nasional setiap pilihan bagi tempoh {period} (min dan selang "
                         "95 %)",
        "chart_xlabel": "tahun",
        "chart_ylabel": "kos (RM juta)",
        "chart_one_off": "sekali sahaja (berlorek)",
        "chart_recurring": "berulang (padu)",
        "mean": "min",
        "description": "Keterangan",
        "code": "Kod",
        "lever_code": "Tuil",
    },
}

METRIC_LABELS: dict[str, dict[str, str]] = {
    "en": {"actioned": "Tip-offs actioned", "downloaded": "Evidence downloaded",
           "raids": "Raids", "arrests": "Arrests",
           "lapsed": "Tip-offs lapsed (evidence no longer held)",
           "reviewed": "Tip-offs reviewed", "investigated": "Tip-offs investigated",
           "charges": "Charges"},
    "ms": {"actioned": "Tip-off diambil tindakan", "downloaded": "Bahan bukti dimuat turun",
           "raids": "Serbuan", "arrests": "Tangkapan",
           "lapsed": "Tip-off luput (bahan bukti tidak lagi disimpan)",
           "reviewed": "Tip-off disemak", "investigated": "Tip-off disiasat",
           "charges": "Pertuduhan"},
}

OPTION_LABELS: dict[str, dict[str, str]] = {
    "en": {OPTIMISED: "this plan", STATUS_QUO: "the status quo",
           "three_to_four_per_state": "three to four posts per state"},
    "ms": {OPTIMISED: "pelan ini", STATUS_QUO: "status quo",
           "three_to_four_per_state": "tiga hingga empat jawatan setiap negeri"},
}

OPTION_NAMES: dict[str, dict[str, str]] = {
    "en": {OPTIMISED: "This plan", STATUS_QUO: "Status quo",
           "three_to_four_per_state": "Three to four per state"},
    "ms": {OPTIMISED: "Pelan ini", STATUS_QUO: "Status quo",
           "three_to_four_per_state": "Tiga hingga empat setiap negeri"},
}

CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "en": {"posts": "Posts", "training": "Training", "bandwidth": "Bandwidth",
           "campaigns": "Awareness campaigns", "other": "Other"},
    "ms": {"posts": "Jawatan", "training": "Latihan", "bandwidth": "Lebar jalur",
           "campaigns": "Kempen kesedaran", "other": "Lain-lain"},
}
CATEGORY_ORDER = ("posts", "training", "bandwidth", "campaigns", "other")

COURSES: dict[str, dict[str, str]] = {
    "en": {"digital_forensics": "digital forensics", "covert_online": "covert online work",
           "child_interview": "interviewing child victims", "law": "the law"},
    "ms": {"digital_forensics": "forensik digital", "covert_online": "penyamaran dalam talian",
           "child_interview": "temu bual mangsa kanak-kanak", "law": "undang-undang"},
}
DELIVERIES: dict[str, dict[str, str]] = {
    "en": {"train_the_trainer": "train-the-trainer", "abroad": "abroad", "local": "local",
           "agc": "with the Attorney General's Chambers"},
    "ms": {"train_the_trainer": "latih jurulatih", "abroad": "luar negara",
           "local": "tempatan", "agc": "bersama Jabatan Peguam Negara"},
}
TEAMS: dict[str, dict[str, str]] = {
    "en": {"download_team": "HQ download team", "forensic_team": "HQ forensic team"},
    "ms": {"download_team": "pasukan muat turun Ibu Pejabat",
           "forensic_team": "pasukan forensik Ibu Pejabat"},
}
RANKS: dict[str, dict[str, str]] = {
    "en": {"officers": "officer posts", "lower_ranks": "lower-rank posts"},
    "ms": {"officers": "jawatan pegawai", "lower_ranks": "jawatan anggota pangkat rendah"},
}
UNITS: dict[str, dict[str, str]] = {
    "en": {},
    "ms": {"posts": "jawatan", "places": "tempat", "trained officers": "pegawai terlatih",
           "campaigns a year": "kempen setahun", "Mbps": "Mbps",
           "actioned tip-offs": "tip-off diambil tindakan"},
}
MARGINAL_LEVERS: dict[str, str] = {
    "one more officer post": "satu jawatan pegawai tambahan",
    "one more lower-rank post": "satu jawatan anggota pangkat rendah tambahan",
    "RM1 million more": "RM1 juta tambahan",
    "100 Mbps more": "100 Mbps tambahan",
}

PUBLISHED_FACTS: tuple[tuple[str, str, str], ...] = (
    ("MICAC began informally in 2018, with three D11 officers working on it on top of "
     "their other duties.",
     "MICAC bermula secara tidak rasmi pada 2018 dengan tiga pegawai D11 yang menjalankannya "
     "di samping tugas hakiki mereka.", MALAY_MAIL),
    ("56 MICAC posts were created in June 2022: a few dozen at Bukit Aman and one or two in "
     "each state contingent.",
     "Sebanyak 56 jawatan MICAC diwujudkan pada Jun 2022: beberapa puluh di Bukit Aman dan "
     "satu atau dua di setiap kontinjen negeri.", MALAY_MAIL),
    ("RM13 million special allocation to D11, Budget 2022: one-off and fully spent, on the "
     "posts, equipment for Child Interview Centres and awareness campaigns. The Home "
     "Ministry had asked for RM17 million and 148 posts; D11 has had no allocation of its "
     "own since.",
     "Peruntukan khas RM13 juta kepada D11, Bajet 2022: sekali sahaja dan telah dibelanjakan "
     "sepenuhnya, bagi jawatan, peralatan Pusat Temu Bual Kanak-kanak dan kempen kesedaran. "
     "Kementerian Dalam Negeri telah memohon RM17 juta dan 148 jawatan; sejak itu tiada "
     "peruntukan khusus bagi D11.", MALAY_MAIL),
    ("Tip-offs received rose from 2,660 in 2018 to 119,825 in 2023 (1 January to "
     "27 November).",
     "Tip-off yang diterima meningkat daripada 2,660 pada 2018 kepada 119,825 pada 2023 "
     "(1 Januari hingga 27 November).", MALAY_MAIL),
    ("Of 248,166 IP addresses reported from 2018 to 27 November 2023, the evidence of "
     "25,243 (about 10.2 %) was downloaded; limited bandwidth and logistics held back the "
     "rest. The tip-offs led to 251 raids and 109 arrests.",
     "Daripada 248,166 alamat IP yang dilaporkan dari 2018 hingga 27 November 2023, bahan "
     "bukti bagi 25,243 (kira-kira 10.2 %) sahaja dimuat turun kerana kekangan lebar jalur "
     "dan logistik. Tip-off tersebut membawa kepada 251 serbuan dan 109 tangkapan.",
     MALAY_MAIL),
    ("The unit's head says it will need three to four officers and personnel in every "
     "state, more in large states such as Selangor.",
     "Ketua unit menyatakan keperluan tiga hingga empat pegawai dan anggota di setiap "
     "negeri, dan lebih di negeri besar seperti Selangor.", MALAY_MAIL),
)
"""Published facts the paper's background cites: English, Malay, source."""


# ---------------------------------------------------------------------------------------
# The costed plan
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostLine:
    """One row of ``plan.csv`` with its cost split into one-off and recurring parts."""

    category: str
    lever: str
    scope: str
    quantity: float
    unit: str
    one_off_rm: float
    recurring_rm: float
    by_year_rm: dict[int, float]

    @property
    def total_rm(self) -> float:
        return self.one_off_rm + self.recurring_rm


@dataclass(frozen=True)
class ProposalData:
    """Everything the paper and the workbook say, read from one optimisation run folder."""

    run: dict[str, Any]
    lines: list[CostLine]
    years: list[int]
    outcomes: pd.DataFrame
    """One row per key metric: ``metric, unit`` and ``mean, ci_low, ci_high`` of this plan,
    ``sq_mean, sq_low, sq_high`` of the status quo, and ``diff_<option>, low_<option>,
    high_<option>`` for each option the plan was paired with."""
    comparators: list[str]
    options: pd.DataFrame
    """National key metrics of this plan and the other options, for the outcome chart."""
    marginal: pd.DataFrame | None

    @property
    def total_rm(self) -> float:
        return float(sum(line.total_rm for line in self.lines))

    @property
    def one_off_rm(self) -> float:
        return float(sum(line.one_off_rm for line in self.lines))

    @property
    def recurring_rm(self) -> float:
        return float(sum(line.recurring_rm for line in self.lines))

    @property
    def budget_rm(self) -> float | None:
        plan = self.run.get("plan") or {}
        optimise = (self.run.get("scenario") or {}).get("optimise") or {}
        budget = plan.get("budget_rm", optimise.get("budget_rm"))
        return None if budget is None else float(budget)

    @property
    def period(self) -> str:
        return (f"{self.years[0]}–{self.years[-1]}" if len(self.years) > 1
                else str(self.years[0]))


def rm(value: float) -> str:
    """Ringgit with thousands separators and no decimals, ``9218378.4`` -> ``"RM9,218,378"``."""
    text = f"{abs(value):,.0f}"
    return f"-RM{text}" if round(value) < 0 else f"RM{text}"


def horizon_years(start: dt.date, end: dt.date) -> dict[int, float]:
    """Share of each calendar year the horizon ``start``..``end`` (inclusive) covers."""
    shares = {}
    for year in range(start.year, end.year + 1):
        first = max(start, dt.date(year, 1, 1))
        last = min(end, dt.date(year, 12, 31))
        days_in_year = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
        shares[year] = max((last - first).days + 1, 0) / days_in_year
    return shares


def _category(lever: str) -> str:
    for prefix, category in (("posts_", "posts"), ("training_", "training"),
                             ("trained_", "training"), ("bandwidth", "bandwidth"),
                             ("campaign", "campaigns")):
        if lever.startswith(prefix):
            return category
    return "other"


def _one_off_part(lever: str, quantity: float, cost_rm: float,
                  tiers: Sequence[dict[str, Any]]) -> float:
    """The one-off part of a line's cost; the rest recurs over the horizon."""
    if lever.startswith("posts_new_") and lever.endswith("_set_up"):
        return cost_rm
    if lever == "posts_moved" or lever.startswith("training_"):
        return cost_rm
    if lever.startswith("bandwidth") and cost_rm > 0:
        # A new line: installation once, rental every month (plan.csv holds the sum).
        for tier in tiers:
            if math.isclose(float(tier.get("mbps", -1)), quantity):
                return min(float(tier.get("install_rm", 0.0)), cost_rm)
    return 0.0


def cost_lines(plan: pd.DataFrame, run: dict[str, Any]) -> tuple[list[CostLine], list[int]]:
    """``plan.csv`` as cost lines, ordered by category, and the calendar years of the horizon."""
    scenario = run.get("scenario") or {}
    shares = horizon_years(dt.date.fromisoformat(str(scenario["start_date"])),
                           dt.date.fromisoformat(str(scenario["end_date"])))
    years = list(shares)
    weight = sum(shares.values())
    tiers = (scenario.get("optimise") or {}).get("bandwidth_tiers") or []
    lines = []
    for row in plan.itertuples(index=False):
        cost = 0.0 if pd.isna(row.cost_rm) else float(row.cost_rm)
        quantity = float(row.quantity)
        one_off = _one_off_part(str(row.lever), quantity, cost, tiers)
        recurring = cost - one_off
        by_year = {year: recurring * share / weight for year, share in shares.items()}
        by_year[years[0]] += one_off
        lines.append(CostLine(_category(str(row.lever)), str(row.lever), str(row.scope),
                              quantity, str(row.unit), one_off, recurring, by_year))
    lines.sort(key=lambda line: CATEGORY_ORDER.index(line.category))
    return lines, years


def _national(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["scope"] == NATIONAL].set_index("metric")


def _outcomes(folder: Path) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    summary = _national(pd.read_csv(folder / "summary.csv"))
    status_quo_path = folder / f"option_{STATUS_QUO}.csv"
    status_quo = _national(pd.read_csv(status_quo_path)) if status_quo_path.exists() else None
    paired_path = folder / "paired_diff.csv"
    paired = pd.read_csv(paired_path) if paired_path.exists() else pd.DataFrame(
        columns=["option_a", "option_b", "metric", "mean_diff", "ci_low", "ci_high"])
    paired = paired[paired["option_a"] == OPTIMISED]
    comparators = [str(o) for o in dict.fromkeys(paired["option_b"])]
    rows = []
    for metric in KEY_METRICS:
        if metric not in summary.index:
            continue
        own = summary.loc[metric]
        row: dict[str, Any] = {"metric": metric, "unit": own["unit"], "mean": own["mean"],
                               "ci_low": own["ci_low"], "ci_high": own["ci_high"]}
        quo = status_quo.loc[metric] if status_quo is not None and metric in status_quo.index \
            else None
        for column, source in (("sq_mean", "mean"), ("sq_low", "ci_low"),
                               ("sq_high", "ci_high")):
            row[column] = float("nan") if quo is None else quo[source]
        for option in comparators:
            match = paired[(paired["option_b"] == option) & (paired["metric"] == metric)]
            values = match.iloc[0] if len(match) else None
            for column, source in (("diff", "mean_diff"), ("low", "ci_low"),
                                   ("high", "ci_high")):
                row[f"{column}_{option}"] = float("nan") if values is None else values[source]
        rows.append(row)
    outcomes = pd.DataFrame(rows)
    charts = [summary.loc[summary.index.isin(KEY_METRICS)].reset_index().assign(
        option=OPTIMISED)]
    for path in sorted(folder.glob("option_*.csv")):
        other = _national(pd.read_csv(path))
        charts.append(other.loc[other.index.isin(KEY_METRICS)].reset_index().assign(
            option=path.stem.removeprefix("option_")))
    return outcomes, comparators, pd.concat(charts, ignore_index=True)


def read_proposal_data(folder: Path) -> ProposalData:
    """Read what a proposal needs from an optimisation run folder.

    Parameters
    ----------
    folder : Path
        The run folder: ``plan.csv``, ``summary.csv`` and ``run.json`` at least;
        ``option_status_quo.csv``, ``paired_diff.csv`` and ``marginal.csv`` when present.

    Returns
    -------
    ProposalData
        The cost lines, outcomes and run record.
    """
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    lines, years = cost_lines(pd.read_csv(folder / "plan.csv"), run)
    outcomes, comparators, options = _outcomes(folder)
    marginal_path = folder / "marginal.csv"
    marginal = pd.read_csv(marginal_path) if marginal_path.exists() else None
    return ProposalData(run, lines, years, outcomes, comparators, options, marginal)


# ---------------------------------------------------------------------------------------
# Words for levers, scopes and units
# ---------------------------------------------------------------------------------------


def describe_lever(lever: str, language: Language) -> str:
    """A lever code of ``plan.csv`` in words, ``"training_covert_online_abroad"`` ->
    ``"training in covert online work, abroad"``.
    """
    en = language == "en"
    if lever.startswith("posts_new_"):
        if lever.endswith("_set_up"):
            rank = lever.removeprefix("posts_new_").removesuffix("_set_up")
            return (f"new {RANKS['en'].get(rank, rank)}: recruitment and equipment" if en
                    else f"{RANKS['ms'].get(rank, rank)} baharu: pengambilan dan peralatan")
        rank = lever.removeprefix("posts_new_").removesuffix("_salary")
        return (f"new {RANKS['en'].get(rank, rank)}: salaries and allowances" if en
                else f"{RANKS['ms'].get(rank, rank)} baharu: gaji dan elaun")
    if lever == "posts_moved":
        return ("posts moved between headquarters and the states" if en
                else "jawatan dipindahkan antara Ibu Pejabat dan negeri")
    if lever.startswith("posts_"):
        rest = lever.removeprefix("posts_")
        for team, words in TEAMS[language].items():
            if rest.startswith(team + "_"):
                rank = rest.removeprefix(team + "_")
                return f"{words}: {RANKS[language].get(rank, rank)}"
        return RANKS[language].get(rest, rest.replace("_", " "))
    if lever.startswith("training_"):
        rest = lever.removeprefix("training_")
        for delivery, words in DELIVERIES[language].items():
            if rest.endswith("_" + delivery):
                course = rest.removesuffix("_" + delivery)
                name = COURSES[language].get(course, course.replace("_", " "))
                return f"training in {name}, {words}" if en else f"latihan {name}, {words}"
        name = COURSES[language].get(rest, rest.replace("_", " "))
        return f"training in {name}" if en else f"latihan {name}"
    if lever.startswith("trained_"):
        course = lever.removeprefix("trained_")
        name = COURSES[language].get(course, course.replace("_", " "))
        return f"officers trained in {name}" if en else f"pegawai terlatih dalam {name}"
    if lever.startswith("bandwidth"):
        return "internet bandwidth at headquarters" if en else "lebar jalur internet Ibu Pejabat"
    if lever.startswith("campaigns"):
        return "awareness campaigns a year" if en else "kempen kesedaran setahun"
    return lever.replace("_", " ")


def describe_scope(scope: str, run: dict[str, Any], language: Language) -> str:
    """``"national"``, ``"hq"`` or a state code in words."""
    if scope == NATIONAL:
        return "national" if language == "en" else "nasional"
    if scope == "hq":
        return "HQ (Bukit Aman)" if language == "en" else "Ibu Pejabat (Bukit Aman)"
    states = (run.get("scenario") or {}).get("states") or {}
    name = (states.get(scope) or {}).get("name")
    return f"{name} ({scope})" if name else scope


def describe_unit(unit: str, language: Language) -> str:
    return UNITS[language].get(unit, unit)


def describe_option(option: str, language: Language) -> str:
    """An option as named inside a sentence: ``"the status quo"``."""
    return OPTION_LABELS[language].get(option, option.replace("_", " "))


def option_name(option: str, language: Language) -> str:
    """An option as named in a table header or a legend: ``"Status quo"``."""
    return OPTION_NAMES[language].get(option, option.replace("_", " "))


def _join(parts: Sequence[str], language: Language) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {TEXT[language]['and']} {parts[-1]}"


def _number(value: float) -> str:
    return format_count(value, 0 if float(value).is_integer() else None)


def _signed_interval(low: float, high: float, decimals: int) -> tuple[str, str]:
    return format_count(low, decimals), format_count(high, decimals)


def _estimate(mean: float, low: float, high: float, signed: bool = False,
              separator: str = " ") -> str:
    """``"1,239 [1,205, 1,272]"``; an interval's ends are cut at zero unless ``signed``.

    ``separator="\n"`` puts the interval on a line of its own, for a narrow table cell.
    """
    if pd.isna(mean):
        return DASH
    decimals = 0 if abs(mean) >= 10 else 1
    text = format_count(mean, decimals)
    if pd.isna(low) or pd.isna(high):
        return text
    if not signed:
        low = max(low, 0.0)
    return f"{text}{separator}[{format_count(low, decimals)}, {format_count(high, decimals)}]"


def outcome_sentence(metric: str, difference: float, low: float, high: float, option: str,
                     language: Language) -> str:
    """One plain sentence on this plan against ``option`` for ``metric``.

    The verdict is "beyond noise" when the paired 95 % interval excludes zero; only then
    does the sentence say whether the plan is better or worse (fewer is better for lapsed).
    """
    words = TEXT[language]
    beyond = bool(low > 0 or high < 0)
    if difference == 0:
        direction = words["same"]
    else:
        direction = words["more"] if difference > 0 else words["fewer"]
    verdict = words["beyond"] if beyond else words["within"]
    if beyond:
        better = (difference < 0) if metric in FEWER_IS_BETTER else (difference > 0)
        verdict = f"{words['better' if better else 'worse']}, {verdict}"
    decimals = 0 if abs(difference) >= 10 else 1
    low_text, high_text = _signed_interval(low, high, decimals)
    return words["sentence"].format(
        label=METRIC_LABELS[language].get(metric, metric),
        amount=format_count(abs(difference), decimals), direction=direction,
        option=describe_option(option, language), low=low_text, high=high_text,
        verdict=verdict)


# ---------------------------------------------------------------------------------------
# The workbook
# ---------------------------------------------------------------------------------------


def _style_sheet(sheet: Any, widths: Sequence[float]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF4FA")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _line_items_sheet(sheet: Any, data: ProposalData, language: Language) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    words = TEXT[language]
    headers = [words["category"], words["item"], words["lever_code"], words["scope"],
               words["quantity"], words["unit"], words["one_off"], words["recurring"],
               *[f"{year} (RM)" for year in data.years], words["total"]]
    sheet.append(headers)
    for line in data.lines:
        sheet.append([CATEGORY_LABELS[language][line.category],
                      describe_lever(line.lever, language), line.lever,
                      describe_scope(line.scope, data.run, language), line.quantity,
                      describe_unit(line.unit, language), line.one_off_rm, line.recurring_rm,
                      *[line.by_year_rm[year] for year in data.years], line.total_rm])
    first, last = 2, len(data.lines) + 1
    money_columns = range(7, len(headers) + 1)
    total_row = last + 1
    sheet.append([words["total_row"]])
    for column in money_columns:
        letter = get_column_letter(column)
        sheet.cell(total_row, column, f"=SUM({letter}{first}:{letter}{last})")
    total_letter = get_column_letter(len(headers))
    sheet.append([words["envelope_row"]])
    sheet.cell(total_row + 1, len(headers), data.budget_rm)
    sheet.append([words["remaining_row"]])
    sheet.cell(total_row + 2, len(headers),
               f"={total_letter}{total_row + 1}-{total_letter}{total_row}")
    for row in sheet.iter_rows(min_row=2, max_row=total_row + 2):
        for cell in row[6:]:
            cell.number_format = RM_FORMAT
        row[4].number_format = "General"
    for row in range(total_row, total_row + 3):
        for cell in sheet[row]:
            cell.font = Font(bold=True)
    _style_sheet(sheet, [16, 46, 34, 22, 10, 16, 15, 15, *[13] * len(data.years), 15])


def _outcomes_sheet(sheet: Any, data: ProposalData, language: Language) -> None:
    words = TEXT[language]
    mean, low, high = words["mean"], words["low"], words["high"]
    quo = option_name(STATUS_QUO, language)
    headers = [words["code"], words["metric"], words["unit"],
               f"{words['this_plan']}: {mean}", f"{words['this_plan']}: {low}",
               f"{words['this_plan']}: {high}", f"{quo}: {mean}", f"{quo}: {low}",
               f"{quo}: {high}"]
    for option in data.comparators:
        name = option_name(option, language)
        headers += [f"{words['difference']} {words['vs']} {name}", f"{words['difference']}: {low}",
                    f"{words['difference']}: {high}"]
    sheet.append(headers)
    for row in data.outcomes.itertuples(index=False):
        values = row._asdict()
        cells = [row.metric, METRIC_LABELS[language].get(row.metric, row.metric),
                 describe_unit(str(row.unit), language), row.mean, row.ci_low, row.ci_high,
                 row.sq_mean, row.sq_low, row.sq_high]
        for option in data.comparators:
            cells += [values[f"diff_{option}"], values[f"low_{option}"],
                      values[f"high_{option}"]]
        sheet.append([None if isinstance(c, float) and math.isnan(c) else c for c in cells])
    for row in sheet.iter_rows(min_row=2, min_col=4):
        for cell in row:
            cell.number_format = "#,##0.0"
    _style_sheet(sheet, [13, 34, 12, *[14] * (len(headers) - 3)])


def _assumptions_sheet(sheet: Any, data: ProposalData, language: Language) -> None:
    from openpyxl.styles import Font

    words = TEXT[language]
    sheet.append([words["parameter"], words["value"], words["unit"], words["low"],
                  words["high"], words["note"]])
    for item in data.run.get("assumptions") or []:
        sheet.append([item.get("parameter"), item.get("value"), item.get("unit"),
                      item.get("low"), item.get("high"), item.get("note")])
    sheet.append([])
    sheet.append([words["facts_title"]])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    for english, malay, source in PUBLISHED_FACTS:
        sheet.append([english if language == "en" else malay, None, None, None, None, source])
    _style_sheet(sheet, [44, 12, 18, 12, 12, 90])


def write_workbook(data: ProposalData, path: Path, language: Language = "en") -> Path:
    """Write the proposal's workbook: cost lines with SUM formulas, outcomes, assumptions.

    Parameters
    ----------
    data : ProposalData
        What :func:`read_proposal_data` read.
    path : Path
        The ``.xlsx`` file to write.
    language : {"en", "ms"}
        Language of headers, labels and sheet names (:data:`SHEET_NAMES`).

    Returns
    -------
    Path
        ``path``.
    """
    from openpyxl import Workbook

    book = Workbook()
    names = SHEET_NAMES[language]
    lines_sheet = book.active
    lines_sheet.title = names[0]
    _line_items_sheet(lines_sheet, data, language)
    _outcomes_sheet(book.create_sheet(names[1]), data, language)
    _assumptions_sheet(book.create_sheet(names[2]), data, language)
    book.save(path)
    return path


# ---------------------------------------------------------------------------------------
# Laying out the paper: A4 pages of real text, tables and charts
# ---------------------------------------------------------------------------------------

POINTS_PER_INCH = 72.0
PAGE_PT = (595.28, 841.89)  # A4
MARGIN_PT = 56.0
TOP_PT = 54.0
BOTTOM_PT = 60.0
BODY_PT = 9.5
TABLE_PT = 7.8
SMALL_PT = 7.0
LEADING = 1.32
CELL_PAD_PT = 3.5
MIN_WRAPPED_COLUMN_PT = 48.0
WIDTH_MARGIN = 1.03
BREAK_AFTER = "._-/"
KEEP_TOGETHER_PT = 260.0
"""A table shorter than this starts on a new page rather than break across two."""
RULE_GREY = "#9a9a9a"
HEADER_FILL = "#eef4fa"
PAPER_STYLE = {"pdf.fonttype": 42, "ps.fonttype": 42, "font.family": "DejaVu Sans"}
"""TrueType fonts embedded whole, so the PDF's text can be selected, searched and extracted."""


@dataclass(frozen=True)
class _Text:
    x: float
    y: float  # baseline, points from the top of the page
    text: str
    size: float
    bold: bool = False
    align: Literal["left", "right", "center"] = "left"
    colour: str = "#1a1a1a"


@dataclass(frozen=True)
class _Rule:
    x0: float
    x1: float
    y: float
    width: float = 0.5
    colour: str = RULE_GREY


@dataclass(frozen=True)
class _Box:
    x: float
    y: float  # top
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class _Picture:
    x: float
    y: float  # top
    width: float
    height: float
    pixels: np.ndarray


_Op = _Text | _Rule | _Box | _Picture


class _Measure:
    """Widths of text in points, from the advance widths of the fonts the PDF embeds.

    Summing glyph advances (without kerning) is a few hundred times faster than asking a
    renderer, and kerning in DejaVu Sans changes a line's width by well under 1 %; the
    small :data:`WIDTH_MARGIN` covers it.
    """

    def __init__(self) -> None:
        self._fonts: dict[bool, Any] = {}
        self._advances: dict[tuple[bool, str], float] = {}

    def _advance(self, character: str, bold: bool) -> float:
        """Advance width of ``character`` at 1 pt."""
        key = (bold, character)
        if key not in self._advances:
            font = self._fonts.get(bold)
            if font is None:
                with matplotlib.rc_context(PAPER_STYLE):
                    path = findfont(FontProperties(weight="bold" if bold else "normal"))
                font = self._fonts[bold] = get_font(path)
                font.set_size(1000, POINTS_PER_INCH)
            glyph = font.load_char(ord(character), flags=LoadFlags.NO_HINTING)
            self._advances[key] = glyph.linearHoriAdvance / 65536 / 1000
        return self._advances[key]

    def width(self, text: str, size: float, bold: bool = False) -> float:
        return size * WIDTH_MARGIN * sum(self._advance(c, bold) for c in str(text))

    def wrap(self, text: str, width: float, size: float, bold: bool = False) -> list[str]:
        """Greedy word wrap to ``width`` points; a word too long on its own is cut."""
        lines: list[str] = []
        for paragraph in str(text).split("\n"):
            line = ""
            for word in paragraph.split(" "):
                candidate = f"{line} {word}" if line else word
                if self.width(candidate, size, bold) <= width:
                    line = candidate
                    continue
                if line:
                    lines.append(line)
                while self.width(word, size, bold) > width and len(word) > 1:
                    cut = len(word) - 1
                    while cut > 1 and self.width(word[:cut], size, bold) > width:
                        cut -= 1
                    # Prefer to break a long name after a dot, underscore, hyphen or slash.
                    soft = max(word.rfind(mark, 0, cut) for mark in BREAK_AFTER) + 1
                    cut = soft if soft > 1 else cut
                    lines.append(word[:cut])
                    word = word[cut:]
                line = word
            lines.append(line)
        return lines


@dataclass
class Paper:
    """A4 pages laid out top to bottom; :meth:`save` writes them with page numbers."""

    title: str
    page_label: str = "Page {page} of {pages}"
    pages: list[list[_Op]] = field(default_factory=lambda: [[]])
    y: float = TOP_PT
    measure: _Measure = field(default_factory=_Measure)

    @property
    def left(self) -> float:
        return MARGIN_PT

    @property
    def width(self) -> float:
        return PAGE_PT[0] - 2 * MARGIN_PT

    @property
    def bottom(self) -> float:
        return PAGE_PT[1] - BOTTOM_PT

    def _add(self, op: _Op) -> None:
        self.pages[-1].append(op)

    def new_page(self) -> None:
        self.pages.append([])
        self.y = TOP_PT

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` points still fit on this one."""
        if self.y + height > self.bottom and self.pages[-1]:
            self.new_page()

    def space(self, points: float) -> None:
        self.y += points

    def heading(self, text: str, size: float = 12.5) -> None:
        # Keep a heading with at least a few lines of what follows it.
        self.ensure(size * LEADING + 5 * BODY_PT * LEADING)
        if self.y > TOP_PT:
            self.space(size * 0.6)
        self.y += size
        self._add(_Text(self.left, self.y, text, size, bold=True))
        self.y += size * (LEADING - 1) + 3
        self._add(_Rule(self.left, self.left + self.width, self.y - 2, 0.8, "#0072B2"))
        self.y += 3

    def paragraph(self, text: str, size: float = BODY_PT, bold: bool = False,
                  bullet: str = "", indent: float = 0.0, after: float = 4.0) -> None:
        hang = self.measure.width(bullet + " ", size) if bullet else 0.0
        x = self.left + indent
        lines = self.measure.wrap(text, self.width - indent - hang, size, bold)
        for index, line in enumerate(lines):
            self.ensure(size * LEADING)
            self.y += size * LEADING
            if bullet and index == 0:
                self._add(_Text(x, self.y, bullet, size, bold))
            self._add(_Text(x + hang, self.y, line, size, bold))
        self.y += after

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]],
              align: str, footer: Sequence[Sequence[str]] = (), size: float = TABLE_PT,
              caption: str = "") -> None:
        """A table across the text width; ``align`` is one ``l``/``r`` per column.

        Columns take their natural width; when the table is wider than the page, headers
        wrap first, then the left-aligned (text) columns wrap.  The header repeats on
        every page the table runs onto.
        """
        widths = self._column_widths(headers, [*rows, *footer], align, size, len(footer))
        header_cells = [self.measure.wrap(h, w - 2 * CELL_PAD_PT, size, True)
                        for h, w in zip(headers, widths, strict=True)]
        line_height = size * LEADING
        header_height = max(len(c) for c in header_cells) * line_height + 2 * CELL_PAD_PT

        def draw_header() -> None:
            self._add(_Box(self.left, self.y, sum(widths), header_height, HEADER_FILL))
            self._cells(header_cells, widths, align, size, True, line_height)
            self.y += header_height
            self._add(_Rule(self.left, self.left + sum(widths), self.y, 0.8, "#555555"))

        whole_height = header_height + sum(
            max(len(self.measure.wrap(str(c), w - 2 * CELL_PAD_PT, size)) for c, w in
                zip(row, widths, strict=True)) * line_height + 2 * CELL_PAD_PT
            for row in [*rows, *footer])
        if whole_height < KEEP_TOGETHER_PT:
            self.ensure(whole_height + (BODY_PT * LEADING * 2 if caption else 0.0))
        if caption:
            self.ensure(BODY_PT * LEADING * 2 + header_height + 2 * line_height)
            self.paragraph(caption, BODY_PT - 0.5, bold=True, after=2)
        self.ensure(header_height + 2 * line_height + 2 * CELL_PAD_PT)
        draw_header()
        for index, row in enumerate([*rows, *footer]):
            cells = [self.measure.wrap(str(c), w - 2 * CELL_PAD_PT, size,
                                       index >= len(rows))
                     for c, w in zip(row, widths, strict=True)]
            height = max(len(c) for c in cells) * line_height + 2 * CELL_PAD_PT
            if self.y + height > self.bottom:
                self.new_page()
                draw_header()
            if index == len(rows):
                self._add(_Rule(self.left, self.left + sum(widths), self.y, 0.9, "#555555"))
            self._cells(cells, widths, align, size, index >= len(rows), line_height)
            self.y += height
            self._add(_Rule(self.left, self.left + sum(widths), self.y, 0.3, "#cccccc"))
        self.y += 8

    def _cells(self, cells: Sequence[Sequence[str]], widths: Sequence[float], align: str,
               size: float, bold: bool, line_height: float) -> None:
        x = self.left
        for lines, width, side in zip(cells, widths, align, strict=True):
            for number, line in enumerate(lines):
                y = self.y + CELL_PAD_PT + size + number * line_height
                if side == "r":
                    self._add(_Text(x + width - CELL_PAD_PT, y, line, size, bold, "right"))
                else:
                    self._add(_Text(x + CELL_PAD_PT, y, line, size, bold))
            x += width

    def _column_widths(self, headers: Sequence[str], rows: Sequence[Sequence[str]],
                       align: str, size: float, footers: int = 0) -> list[float]:
        """Column widths in points, filling the text width when the natural widths exceed it.

        Numbers never wrap.  Headers wrap first; then each text column starts from its
        longest unbreakable piece and the room left is shared in proportion to how much
        each column still lacks of its natural width, so a short label column is not
        squeezed by a long note column, nor the other way round.
        """
        measure = self.measure
        body = len(rows) - footers

        def line_widths(column: int) -> list[float]:
            return [measure.width(line, size, number >= body) for number, row in enumerate(rows)
                    for line in str(row[column]).split("\n")]

        def pieces(text: str) -> list[str]:
            return [p for p in re.split(r"\s+|(?<=[._/-])", text) if p]

        pad = 2 * CELL_PAD_PT + 1.0  # a point to spare: a cell as wide as its column never wraps
        cells = [max(line_widths(i) or [0.0]) for i in range(len(headers))]
        whole = [max(c, measure.width(h, size, True)) + pad
                 for c, h in zip(cells, headers, strict=True)]
        if sum(whole) <= self.width:
            spare = (self.width - sum(whole)) / len(whole)
            return [w + spare for w in whole] if sum(whole) > 0.75 * self.width else whole
        header_words = [max([measure.width(word, size, True) for word in h.split()] or [0.0])
                        for h in headers]
        words = [max(c, w) + pad for c, w in zip(cells, header_words, strict=True)]
        if sum(words) <= self.width:
            spare = self.width - sum(words)
            wanted = [w - n for w, n in zip(whole, words, strict=True)]
            share = min(1.0, spare / sum(wanted)) if sum(wanted) > 0 else 0.0
            return [n + share * d for n, d in zip(words, wanted, strict=True)]
        widths = list(words)
        loose = [i for i, side in enumerate(align) if side == "l"]
        for i in loose:
            longest = max([measure.width(piece, size, number >= body)
                           for number, row in enumerate(rows) for piece in pieces(str(row[i]))]
                          or [0.0])
            widths[i] = max(longest, header_words[i], MIN_WRAPPED_COLUMN_PT) + pad
        room = self.width - sum(widths)
        lacking = {i: max(whole[i] - widths[i], 0.0) for i in loose}
        if room > 0 and sum(lacking.values()) > 0:
            share = min(1.0, room / sum(lacking.values()))
            for i in loose:
                widths[i] += share * lacking[i]
        return widths

    def picture(self, ax: Axes, width: float | None = None) -> None:
        """A chart as an image across the text width (or ``width`` points), centred."""
        buffer = io.BytesIO()
        ax.figure.savefig(buffer, format="png", dpi=200, metadata={"Software": None})
        buffer.seek(0)
        pixels = mpimg.imread(buffer, format="png")
        width = min(width or self.width, self.width)
        height = width * pixels.shape[0] / pixels.shape[1]
        self.ensure(height + 6)
        self._add(_Picture(self.left + (self.width - width) / 2, self.y, width, height,
                           pixels))
        self.y += height + 8

    def text_lines(self) -> list[str]:
        """Every line of text on the pages, in order, with the page footers."""
        lines = []
        for number, ops in enumerate(self.pages, start=1):
            lines += [op.text for op in ops if isinstance(op, _Text)]
            lines += [self.title, self.page_label.format(page=number, pages=len(self.pages))]
        return lines

    def save(self, path: Path) -> Path:
        """Write the pages to a PDF with the title and page number at the foot of each."""
        width, height = PAGE_PT
        with matplotlib.rc_context(PAPER_STYLE), PdfPages(
                path, metadata={"Title": self.title, "Creator": None, "Producer": None,
                                "CreationDate": None}) as pdf:
            for number, ops in enumerate(self.pages, start=1):
                figure = Figure(figsize=(width / POINTS_PER_INCH, height / POINTS_PER_INCH))
                footer = PAGE_PT[1] - BOTTOM_PT / 2
                ops = [*ops, _Rule(self.left, self.left + self.width, footer - 10, 0.4),
                       _Text(self.left, footer, self.title, SMALL_PT, colour="#444444"),
                       _Text(self.left + self.width, footer,
                             self.page_label.format(page=number, pages=len(self.pages)),
                             SMALL_PT, align="right", colour="#444444")]
                for op in ops:
                    _draw(figure, op)
                pdf.savefig(figure)
        return path


def _draw(figure: Figure, op: _Op) -> None:
    width, height = PAGE_PT
    if isinstance(op, _Text):
        figure.text(op.x / width, 1 - op.y / height, op.text, fontsize=op.size,
                    fontweight="bold" if op.bold else "normal", ha=op.align, va="baseline",
                    color=op.colour, parse_math=False)
    elif isinstance(op, _Rule):
        figure.add_artist(Line2D(
            [op.x0 / width, op.x1 / width], [1 - op.y / height] * 2,
            transform=figure.transFigure, linewidth=op.width, color=op.colour))
    elif isinstance(op, _Box):
        figure.add_artist(Rectangle(
            (op.x / width, 1 - (op.y + op.height) / height), op.width / width,
            op.height / height, transform=figure.transFigure, facecolor=op.colour,
            edgecolor="none", zorder=-1))
    else:
        ax = figure.add_axes((op.x / width, 1 - (op.y + op.height) / height,
                              op.width / width, op.height / height))
        ax.imshow(op.pixels, interpolation="lanczos")
        ax.set_axis_off()


# ---------------------------------------------------------------------------------------
# The paper's content
# ---------------------------------------------------------------------------------------

MALAY_MONTHS = ("Januari", "Februari", "Mac", "April", "Mei", "Jun", "Julai", "Ogos",
                "September", "Oktober", "November", "Disember")
PANEL_TITLES = {
    "en": {"actioned": "actioned", "downloaded": "downloaded", "raids": "raids",
           "arrests": "arrests", "lapsed": "lapsed (fewer is better)"},
    "ms": {"actioned": "diambil tindakan", "downloaded": "dimuat turun", "raids": "serbuan",
           "arrests": "tangkapan", "lapsed": "luput (kurang lebih baik)"},
}
PANEL_UNITS = {"en": {}, "ms": {"tip-offs": "tip-off", "raids": "serbuan",
                                "arrests": "tangkapan"}}


def _date(text: Any, language: Language) -> str:
    try:
        day = dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return str(text)
    month = f"{day:%B}" if language == "en" else MALAY_MONTHS[day.month - 1]
    return f"{day.day} {month} {day.year}"


def _quantity(line: CostLine, language: Language) -> str:
    return f"{_number(line.quantity)} {describe_unit(line.unit, language)}"


def _plan_parts(data: ProposalData, language: Language) -> list[str]:
    words = TEXT[language]
    parts = []
    for line in data.lines:
        if line.lever.startswith("posts_new_") and line.lever.endswith("_salary") \
                and line.quantity > 0:
            rank = line.lever.removeprefix("posts_new_").removesuffix("_salary")
            parts.append(words["new_posts"].format(
                n=_number(line.quantity), rank=words.get(f"rank_{rank}", rank)))
    moved = sum(line.quantity for line in data.lines if line.lever == "posts_moved")
    if moved:
        parts.append(words["moved"].format(n=_number(moved)))
    places = sum(line.quantity for line in data.lines if line.lever.startswith("training_"))
    if places:
        parts.append(words["places"].format(n=_number(places)))
    for line in data.lines:
        if line.lever.startswith("bandwidth") and line.total_rm > 0:
            parts.append(words["bandwidth"].format(mbps=_number(line.quantity)))
    campaigns = sum(line.quantity for line in data.lines if line.lever.startswith("campaign"))
    if campaigns:
        parts.append(words["campaigns"].format(n=_number(campaigns)))
    return parts


def _envelope_phrase(data: ProposalData, language: Language) -> str:
    if data.budget_rm is None:
        return rm(data.total_rm)
    return TEXT[language]["envelope"].format(total=rm(data.total_rm),
                                             envelope=rm(data.budget_rm))


def _purpose(paper: Paper, data: ProposalData, language: Language) -> None:
    words = TEXT[language]
    paper.heading(words["purpose"])
    paper.paragraph(words["purpose_text"].format(
        total=rm(data.total_rm), period=data.period,
        total_of_envelope=_envelope_phrase(data, language)))
    parts = _plan_parts(data, language)
    posts = (data.run.get("plan") or {}).get("total_posts")
    if parts and posts is not None:
        paper.paragraph(words["pays_for"].format(parts=_join(parts, language),
                                                 posts=_number(float(posts))))


def _background(paper: Paper, language: Language) -> None:
    words = TEXT[language]
    paper.heading(words["background"])
    paper.paragraph(words["background_intro"], after=2)
    for english, malay, source in PUBLISHED_FACTS:
        text = english if language == "en" else malay
        paper.paragraph(f"{text} ({source})", bullet="•", indent=6, after=2)
    paper.space(2)


def _option_chart(data: ProposalData, language: Language) -> Axes:
    """The key national outcomes of each option: five panels and the legend on a 2 x 3 grid."""
    frame = data.options.assign(option=[option_name(o, language)
                                         for o in data.options["option"]])
    metrics = {m: PANEL_TITLES[language][m] for m in KEY_METRICS
               if m in set(frame["metric"])}
    units = {row.metric: PANEL_UNITS[language].get(str(row.unit), str(row.unit))
             for row in frame.drop_duplicates("metric").itertuples()}
    return plot_option_grid(frame, metrics, units=units)[0]


def _justification(paper: Paper, data: ProposalData, language: Language) -> None:
    words = TEXT[language]
    run = data.run
    paper.heading(words["justification"])
    interval = (run.get("interval") or "95 % interval") if language == "en" else \
        "selang keyakinan 95 % (taburan t, bagi min replikasi yang tidak bersandar)"
    paper.paragraph(words["method"].format(period=data.period, reps=run.get("replications"),
                                           seed=run.get("seed"), interval=interval))
    plan = run.get("plan") or {}
    if plan:
        gap = plan.get("optimality_gap")
        paper.paragraph(words["solver"].format(
            status=plan.get("status", DASH), rounds=plan.get("rounds", DASH),
            gap=DASH if gap is None else f"{100 * float(gap):.1f} %",
            stable=words["stable_yes" if plan.get("stable") else "stable_no"]))
    outcomes = data.outcomes
    quo = STATUS_QUO if STATUS_QUO in data.comparators else None
    headers = [words["metric"], words["this_plan"], option_name(STATUS_QUO, language)]
    if quo:
        headers.append(f"{words['difference']}")
    rows = []
    for row in outcomes.itertuples(index=False):
        values = row._asdict()
        cells = [METRIC_LABELS[language].get(row.metric, row.metric),
                 _estimate(row.mean, row.ci_low, row.ci_high, separator="\n"),
                 _estimate(row.sq_mean, row.sq_low, row.sq_high, separator="\n")]
        if quo:
            cells.append(_estimate(values[f"diff_{quo}"], values[f"low_{quo}"],
                                   values[f"high_{quo}"], signed=True, separator="\n"))
        rows.append(cells)
    paper.table(headers, rows, "l" + "r" * (len(headers) - 1),
                caption=words["outcomes_caption"].format(period=data.period), size=8.2)
    others = [o for o in data.comparators if o != quo]
    if others:
        rows = [[METRIC_LABELS[language].get(row.metric, row.metric),
                 *[_estimate(row._asdict()[f"diff_{o}"], row._asdict()[f"low_{o}"],
                             row._asdict()[f"high_{o}"], signed=True) for o in others]]
                for row in outcomes.itertuples(index=False)]
        paper.table([words["metric"], *[option_name(o, language) for o in others]], rows,
                    "l" + "r" * len(others), caption=words["versus"], size=8.2)
    for option in data.comparators:
        for row in outcomes.itertuples(index=False):
            values = row._asdict()
            if pd.isna(values[f"diff_{option}"]):
                continue
            paper.paragraph(outcome_sentence(row.metric, values[f"diff_{option}"],
                                             values[f"low_{option}"], values[f"high_{option}"],
                                             option, language), bullet="•", indent=6, after=1)
        paper.space(3)
    if not data.options.empty:
        paper.ensure(BODY_PT * LEADING * 2 + 330)
        paper.paragraph(words["chart_options"].format(period=data.period), BODY_PT - 0.5,
                        bold=True, after=5)
        paper.picture(_option_chart(data, language))
    _marginal(paper, data, language)


def _marginal(paper: Paper, data: ProposalData, language: Language) -> None:
    if data.marginal is None or data.marginal.empty:
        return
    words = TEXT[language]
    units = ", ".join(describe_unit(str(u), language)
                      for u in dict.fromkeys(data.marginal["unit"].dropna()))
    rows = []
    for row in data.marginal.itertuples(index=False):
        lever = str(row.lever)
        rows.append([MARGINAL_LEVERS.get(lever, lever) if language == "ms" else lever,
                     describe_scope(str(row.scope), data.run, language),
                     _estimate(row.model_gain, float("nan"), float("nan")),
                     DASH if pd.isna(row.extra_cost_rm) else f"{row.extra_cost_rm:,.0f}",
                     _estimate(row.simulated_gain, row.ci_low, row.ci_high, signed=True)])
    caption = f"{words['marginal_title']} ({units})" if units else words["marginal_title"]
    paper.table([words["lever"], words["where"], words["model_gain"], words["extra_cost"],
                 words["simulated_gain"]], rows, "llrrr", caption=caption)
    paper.paragraph(words["marginal_text"], size=SMALL_PT + 0.5)


def _cost_frame(data: ProposalData, language: Language) -> pd.DataFrame:
    rows = []
    for line in data.lines:
        if round(line.total_rm) == 0:
            continue
        category = CATEGORY_LABELS[language][line.category]
        for year in data.years:
            recurring = line.by_year_rm[year] - (line.one_off_rm if year == data.years[0]
                                                 else 0.0)
            rows.append({"year": year, "category": category, "kind": "recurring",
                         "cost_rm": recurring})
        rows.append({"year": data.years[0], "category": category, "kind": "one_off",
                     "cost_rm": line.one_off_rm})
    return pd.DataFrame(rows)


def _posts_table(paper: Paper, data: ProposalData, language: Language) -> None:
    """Posts by grade and place, trained officers and campaigns: the plan's non-money lines."""
    words = TEXT[language]
    cells: dict[str, dict[str, float]] = {}
    columns: list[str] = []
    for line in data.lines:
        if line.scope == NATIONAL:
            continue
        row, column = line.scope, line.lever
        if line.lever.startswith("posts_"):
            rest = line.lever.removeprefix("posts_")
            for team, team_words in TEAMS[language].items():
                if rest.startswith(team + "_"):
                    row, rest = team_words, rest.removeprefix(team + "_")
            column = f"posts_{rest}"
        if column not in columns:
            columns.append(column)
        cells.setdefault(row, {})[column] = cells.get(row, {}).get(column, 0.0) + line.quantity
    if not cells:
        return
    headers = [words["state"],
               *[describe_lever(c, language)[:1].upper() + describe_lever(c, language)[1:]
                 for c in columns]]
    rows = [[describe_scope(row, data.run, language) if row in
             ((data.run.get("scenario") or {}).get("states") or {}) or row == "hq" else row,
             *[_number(values[c]) if c in values else DASH for c in columns]]
            for row, values in cells.items()]
    totals = [words["total_row"], *[_number(sum(v.get(c, 0.0) for v in cells.values()))
                                    for c in columns]]
    paper.table(headers, rows, "l" + "r" * len(columns), footer=[totals],
                caption=words["posts_by_state"])


def _financial(paper: Paper, data: ProposalData, language: Language) -> None:
    words = TEXT[language]
    paper.heading(words["financial"])
    remaining = DASH if data.budget_rm is None else rm(data.budget_rm - data.total_rm)
    paper.paragraph(words["financial_text"].format(
        total_of_envelope=_envelope_phrase(data, language), remaining=remaining,
        one_off=rm(data.one_off_rm), recurring=rm(data.recurring_rm),
        first_year=data.years[0]))
    rows = []
    for line in data.lines:
        if round(line.total_rm) == 0:
            continue
        item = describe_lever(line.lever, language)
        if line.scope != NATIONAL:
            item += f" ({describe_scope(line.scope, data.run, language)})"
        rows.append([CATEGORY_LABELS[language][line.category], item, _quantity(line, language),
                     f"{line.one_off_rm:,.0f}", f"{line.recurring_rm:,.0f}",
                     f"{line.total_rm:,.0f}"])
    footer = [[words["total_row"], "", "", f"{data.one_off_rm:,.0f}",
               f"{data.recurring_rm:,.0f}", f"{data.total_rm:,.0f}"]]
    paper.table([words["category"], words["item"], words["quantity"], words["one_off"],
                 words["recurring"], words["total"]], rows, "llrrrr", footer=footer,
                caption=words["cost_lines"])
    year_rows = []
    for year in data.years:
        one_off = sum(line.one_off_rm for line in data.lines) if year == data.years[0] else 0.0
        total = sum(line.by_year_rm[year] for line in data.lines)
        year_rows.append([str(year), f"{one_off:,.0f}", f"{total - one_off:,.0f}",
                          f"{total:,.0f}"])
    footer = [[words["total_row"], f"{data.one_off_rm:,.0f}", f"{data.recurring_rm:,.0f}",
               f"{data.total_rm:,.0f}"]]
    if data.budget_rm is not None:
        footer += [[words["envelope_row"], "", "", f"{data.budget_rm:,.0f}"],
                   [words["remaining_row"], "", "", f"{data.budget_rm - data.total_rm:,.0f}"]]
    paper.table([words["year"], words["one_off"], words["recurring"], words["total"]],
                year_rows, "lrrr", footer=footer, caption=words["by_year"])
    labels = {"title": words["chart_title"], "xlabel": words["chart_xlabel"],
              "ylabel": words["chart_ylabel"], "one_off": words["chart_one_off"],
              "recurring": words["chart_recurring"]}
    paper.picture(plot_costs_by_year(_cost_frame(data, language), labels=labels))
    _posts_table(paper, data, language)


def _recommendation(paper: Paper, data: ProposalData, language: Language) -> None:
    words = TEXT[language]
    paper.heading(words["recommendation"])
    paper.paragraph(words["recommendation_text"].format(
        total=rm(data.total_rm), period=data.period, one_off=rm(data.one_off_rm),
        recurring=rm(data.recurring_rm),
        envelope=DASH if data.budget_rm is None else rm(data.budget_rm)))


def _appendix(paper: Paper, data: ProposalData, language: Language) -> None:
    words = TEXT[language]
    paper.new_page()
    paper.heading(words["appendix"])
    paper.paragraph(words["assumptions_text"])
    rows = []
    for item in data.run.get("assumptions") or []:
        unit = str(item.get("unit") or "")
        low, high = item.get("low"), item.get("high")
        span = DASH if low is None and high is None else \
            f"{format_parameter(low, unit)} – {format_parameter(high, unit)}"
        rows.append([str(item.get("parameter", "")), format_parameter(item.get("value"), unit),
                     unit, span, str(item.get("note") or "")])
    if rows:
        paper.table([words["parameter"], words["value"], words["unit"], words["range"],
                     words["note"]], rows, "lrlrl", size=SMALL_PT)
    paper.table([words["fact"], words["source"]],
                [[english if language == "en" else malay, source]
                 for english, malay, source in PUBLISHED_FACTS], "ll",
                caption=words["facts_title"], size=SMALL_PT + 0.5)


def compose_paper(data: ProposalData, language: Language = "en") -> Paper:
    """Lay out the proposal paper in ``language`` without writing it.

    Parameters
    ----------
    data : ProposalData
        What :func:`read_proposal_data` read.
    language : {"en", "ms"}
        English, or formal Malay; the numbers are the same.

    Returns
    -------
    Paper
        The laid-out pages; :meth:`Paper.text_lines` lists their text and
        :meth:`Paper.save` writes the PDF.
    """
    words = TEXT[language]
    title = words["title"].format(period=data.period)
    paper = Paper(title=title, page_label=words["page"])
    paper.paragraph(title, size=15, bold=True, after=2)
    scenario = data.run.get("scenario") or {}
    paper.paragraph(words["subtitle"].format(
        name=scenario.get("name", DASH), reps=data.run.get("replications", DASH),
        seed=data.run.get("seed", DASH),
        finished=_date(data.run.get("finished_at", DASH), language)),
        size=BODY_PT - 1, after=2)
    _purpose(paper, data, language)
    _background(paper, language)
    _justification(paper, data, language)
    _financial(paper, data, language)
    _recommendation(paper, data, language)
    _appendix(paper, data, language)
    return paper


def render_proposal(folder: Path, language: Language = "en",
                    out_dir: Path | None = None) -> list[Path]:
    """Write the budget proposal of an optimisation run: ``proposal.pdf`` and ``proposal.xlsx``.

    Parameters
    ----------
    folder : Path
        The optimisation run folder (see :func:`read_proposal_data`); only read.
    language : {"en", "ms"}
        English, or formal Malay; both give the same numbers under the same file names,
        so the caller picks a different ``out_dir`` for each language.
    out_dir : Path, optional
        Where to write; ``folder`` by default.

    Returns
    -------
    list of Path
        The PDF and the workbook.
    """
    if language not in TEXT:
        raise ValueError(f"language must be one of {sorted(TEXT)}, not {language!r}")
    out_dir = folder if out_dir is None else out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    data = read_proposal_data(folder)
    pdf = compose_paper(data, language).save(out_dir / PDF_NAME)
    workbook = write_workbook(data, out_dir / WORKBOOK_NAME, language)
    return [pdf, workbook]
