"""Every sentence and label of the budget proposal, English and formal Malay side by side.

Each :class:`Phrase` holds both languages of one sentence or label, so a translation is
read next to its original and no other module of the proposal chooses between languages
except by picking a phrase.  Templates carry their own word order (``"new {rank}"``
against ``"{rank} baharu"``), which is why levers and options are described here rather
than assembled from words elsewhere.  Metric labels are not here: they come from the one
catalogue, :mod:`model.metrics`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from model.levers import Category, Lever, LeverKind
from model.metrics import HQ, NATIONAL
from model.tables import TODAY

Language = Literal["en", "ms"]
LANGUAGES: tuple[Language, ...] = ("en", "ms")
"""English, and formal Malay (Bahasa Melayu)."""

OPTIMISED = "optimised"
STATUS_QUO = TODAY
MALAY_MAIL = "D11, Malay Mail, 1 Feb 2024"


@dataclass(frozen=True, slots=True)
class Phrase:
    """One sentence, template or label in English and in formal Malay.

    Attributes
    ----------
    en, ms : str
        The text in each language; templates name their fields (``{total}``) alike.
    """

    en: str
    ms: str

    def __call__(self, language: Language) -> str:
        """The text in ``language``."""
        return self.ms if language == "ms" else self.en

    def format(self, language: Language, **values: Any) -> str:
        """The template in ``language`` with its fields filled from ``values``."""
        return self(language).format(**values)


# ---------------------------------------------------------------------------------------
# Title, sections and running text
# ---------------------------------------------------------------------------------------

TITLE = Phrase("Budget proposal: resources for MICAC (D11, PDRM), {period}",
               "Kertas cadangan bajet: sumber MICAC (D11, PDRM), {period}")
SUBTITLE = Phrase(
    "Plan {name}; simulated with {reps} replications, seed {seed}; run finished {finished}",
    "Pelan {name}; disimulasikan dengan {reps} replikasi, benih rawak {seed}; "
    "larian selesai {finished}")
PAGE = Phrase("Page {page} of {pages}", "Muka surat {page} daripada {pages}")

PURPOSE = Phrase("1. Purpose", "1. Tujuan")
BACKGROUND = Phrase("2. Background", "2. Latar Belakang")
JUSTIFICATION = Phrase("3. Justification", "3. Justifikasi")
FINANCIAL = Phrase("4. Financial implications", "4. Implikasi Kewangan")
RECOMMENDATION = Phrase("5. Recommendation", "5. Syor")
APPENDIX = Phrase("Appendix A: Assumptions and sources", "Lampiran A: Andaian dan Sumber")

PURPOSE_TEXT = Phrase(
    "This paper seeks consideration and approval of {total} over {period} for the Malaysia "
    "Internet Crime Against Children unit (MICAC) of the Sexual, Women and Child "
    "Investigation Division (D11), Criminal Investigation Department, Royal Malaysia "
    "Police: {total_of_envelope}.",
    "Kertas ini bertujuan untuk memohon pertimbangan dan kelulusan peruntukan sebanyak "
    "{total} bagi tempoh {period} untuk Unit Malaysia Internet Crime Against Children "
    "(MICAC), Bahagian Siasatan Seksual, Wanita dan Kanak-kanak (D11), Jabatan Siasatan "
    "Jenayah, Polis Diraja Malaysia: {total_of_envelope}.")
PAYS_FOR = Phrase("It pays for {parts}.", "Peruntukan ini adalah bagi {parts}.")
PAYS_FOR_NOTHING = Phrase("It buys nothing new: every change it makes costs nothing.",
                          "Pelan ini tidak membeli apa-apa yang baharu: setiap perubahannya "
                          "tidak melibatkan kos.")
CHANGES_INTRO = Phrase(
    "It takes MICAC from {before} posts to {after} and changes them as follows (Table 1 "
    "gives every site, team and rank):",
    "Pelan ini mengubah jumlah jawatan MICAC daripada {before} kepada {after} dengan "
    "perubahan berikut (Jadual 1 memberikan setiap lokasi, pasukan dan pangkat):")
CHANGES_INTRO_SAME_TOTAL = Phrase(
    "It keeps MICAC at {posts} posts in all but changes them as follows (Table 1 gives every "
    "site, team and rank):",
    "Pelan ini mengekalkan jumlah {posts} jawatan MICAC tetapi mengubahnya seperti berikut "
    "(Jadual 1 memberikan setiap lokasi, pasukan dan pangkat):")
NO_POST_CHANGE = Phrase("It keeps MICAC's {posts} posts where they are.",
                        "Pelan ini mengekalkan {posts} jawatan MICAC di tempat sedia ada.")
HQ_CHANGE = Phrase("headquarters (Bukit Aman) from {before} posts to {after}{teams}",
                   "Ibu Pejabat (Bukit Aman) daripada {before} jawatan kepada {after}{teams}")
STATES_CHANGE = Phrase("the states from {before} posts to {after}{states}",
                       "negeri-negeri daripada {before} jawatan kepada {after}{states}")
PART_CHANGE = Phrase("{part} from {before} to {after}", "{part} daripada {before} kepada {after}")
STATE_CHANGE = Phrase("{state} {before} to {after}", "{state} {before} kepada {after}")
IN_BRACKETS = Phrase(" ({parts})", " ({parts})")
RANKS_CHANGE = Phrase(
    "officers from {officers_before} to {officers_after} and lower ranks from {lower_before} "
    "to {lower_after}",
    "pegawai daripada {officers_before} kepada {officers_after} dan anggota pangkat rendah "
    "daripada {lower_before} kepada {lower_after}")
CREATED = Phrase("{n} new {rank} posts created", "{n} jawatan baharu {rank} diwujudkan")
GIVEN_UP = Phrase("{n} {rank} posts given up (no saving is counted for them)",
                  "{n} jawatan {rank} dilepaskan (tiada penjimatan dikira)")
ENVELOPE = Phrase("{total} of the {envelope} envelope", "{total} daripada siling {envelope}")
AND = Phrase("and", "dan")
NEW_POSTS = Phrase("{n} new {rank} posts", "{n} jawatan baharu {rank}")
MOVED = Phrase("{n} posts moved to another site or team",
               "{n} jawatan dipindahkan ke lokasi atau pasukan lain")
PLACES = Phrase("{n} training places, one for each person trained",
                "{n} tempat latihan, satu bagi setiap anggota yang dilatih")
BANDWIDTH = Phrase("a {mbps} Mbps internet line", "talian internet {mbps} Mbps")
CAMPAIGNS = Phrase("{n} awareness campaigns a year beyond today's",
                   "{n} kempen kesedaran setahun melebihi tahap sedia ada")

BACKGROUND_INTRO = Phrase(
    "Published facts (the source follows each):",
    "Fakta yang telah diterbitkan (sumber dinyatakan selepas setiap fakta):")

METHOD = Phrase(
    "The plan was chosen by an optimiser and then checked in a simulation of MICAC's work, "
    "from tip-off to arrest, over {period}: {reps} replications with seed {seed}. Each "
    "figure is the mean over the replications with its {interval}. Differences are paired: "
    "every option met the same random tip-offs, so they are measured far more precisely "
    "than the options themselves.",
    "Pelan ini dipilih oleh model pengoptimuman dan kemudian diuji dalam simulasi proses "
    "kerja MICAC, daripada penerimaan tip-off hingga tangkapan, bagi tempoh {period}: "
    "{reps} replikasi dengan benih rawak {seed}. Setiap angka ialah min bagi semua "
    "replikasi beserta {interval}. Perbezaan diukur secara berpasangan: setiap pilihan "
    "menerima tip-off rawak yang sama, maka perbezaannya diukur jauh lebih tepat daripada "
    "nilai setiap pilihan itu sendiri.")
NOISE_RULE = Phrase(
    "A difference whose 95 % interval excludes zero is beyond noise.",
    "Perbezaan yang selang 95 %-nya tidak merangkumi sifar bukan disebabkan oleh variasi "
    "rawak.")
VERDICT_RULE = Phrase(
    "A difference is called better or worse only where its paired interval, adjusted for "
    "the {metrics} outcomes compared between two plans (Holm's method), excludes zero and "
    "it exceeds {threshold} of the other plan's value; otherwise there is no meaningful "
    "difference.",
    "Sesuatu perbezaan disebut lebih baik atau lebih buruk hanya jika selang berpasangannya, "
    "yang dilaraskan bagi {metrics} hasil yang dibandingkan antara dua pelan (kaedah Holm), "
    "tidak merangkumi sifar dan melebihi {threshold} daripada nilai pelan yang satu lagi; "
    "jika tidak, tiada perbezaan yang bermakna.")
SHORTFALL = Phrase("{share} less", "kurang {share}")
EXCESS = Phrase("{share} more", "lebih {share}")
BEST_OF_COMPARED = Phrase(
    "Of the plans compared in the simulation, it actions the most tip-offs, better than "
    "{options}.",
    "Antara pelan yang dibandingkan dalam simulasi, pelan ini mengambil tindakan ke atas "
    "tip-off paling banyak, lebih baik daripada {options}.")
INTERVAL_DEFAULT = Phrase(
    "95 % interval",
    "selang keyakinan 95 % (taburan t, bagi min replikasi yang tidak bersandar)")
INTERVAL_RECORDED = Phrase(
    "{recorded}",
    "selang keyakinan 95 % (taburan t, bagi min replikasi yang tidak bersandar)")
"""The interval as ``run.json`` records it; the record is in English, so Malay says it."""

OUTCOMES_CAPTION = Phrase(
    "Expected outcomes over {period}, national (mean [95 % interval])",
    "Hasil jangkaan bagi tempoh {period}, peringkat nasional (min [selang 95 %])")
VERSUS_CAPTION = Phrase(
    "Difference against other options (this plan minus the option, mean [95 % interval])",
    "Perbezaan berbanding pilihan lain (pelan ini tolak pilihan tersebut, min [selang 95 %])")
SENTENCE = Phrase(
    "{label}: {amount} {direction} than {option} (95 % interval {low} to {high}): {verdict}.",
    "{label}: {amount} {direction} berbanding {option} (selang 95 %: {low} hingga {high}): "
    "{verdict}.")
MORE = Phrase("more", "lebih banyak")
FEWER = Phrase("fewer", "lebih sedikit")
SAME = Phrase("the same as", "sama")
BETTER = Phrase("better", "lebih baik")
WORSE = Phrase("worse", "lebih buruk")
BEYOND = Phrase("beyond noise", "melebihi variasi rawak")
WITHIN = Phrase("within noise", "dalam lingkungan variasi rawak")
VERDICT = Phrase("{better_or_worse}, {noise}", "{better_or_worse}, {noise}")
NO_MEANINGFUL_DIFFERENCE = Phrase("no meaningful difference", "tiada perbezaan yang bermakna")
SENTENCE_ADJUSTED = Phrase(
    "{label}: {amount} {direction} than {option} (adjusted interval {low} to {high}): "
    "{verdict}.",
    "{label}: {amount} {direction} berbanding {option} (selang terlaras: {low} hingga "
    "{high}): {verdict}.")

MARGINAL_TITLE = Phrase(
    "Marginal values: what one more unit of a lever would add",
    "Nilai marginal: tambahan hasil bagi satu unit tambahan setiap tuil")
MARGINAL_TEXT = Phrase(
    "The solver's estimate comes from the optimiser's simplified model; the simulated gain, "
    "where measured, from re-running the simulation with the change. A dash means not "
    "measured.",
    "Anggaran penyelesai diperoleh daripada model ringkas pengoptimum; tambahan simulasi, "
    "jika diukur, diperoleh dengan mengulang simulasi dengan perubahan tersebut. Sengkang "
    "bermaksud tidak diukur.")
WITH_UNITS = Phrase("{text} ({units})", "{text} ({units})")

FINANCIAL_TEXT = Phrase(
    "The plan costs {total_of_envelope}, leaving {remaining}. Of this, {one_off} is one-off "
    "(set-up of new posts, moves, training places, installing a line) and {recurring} "
    "recurs (salaries, line rental, campaigns). Each cost falls in the year it is paid: a "
    "new post's salary from the day it is filled, {lag} days after the start (the "
    "recruitment lag), so {first_year} carries only part of a year's salaries; a line from "
    "its start, installed once and rented monthly; a course when it is held.",
    "Kos pelan ini ialah {total_of_envelope}, dengan baki {remaining}. Daripada jumlah ini, "
    "{one_off} ialah kos sekali sahaja (persediaan jawatan baharu, pemindahan, tempat "
    "latihan, pemasangan talian) dan {recurring} ialah kos berulang (gaji, sewa talian, "
    "kempen). Setiap kos dicaj pada tahun ia dibayar: gaji jawatan baharu bermula pada hari "
    "jawatan itu diisi, {lag} hari selepas permulaan (tempoh pengambilan), maka "
    "{first_year} hanya menanggung sebahagian daripada gaji setahun; talian bermula pada "
    "tarikh mula, dipasang sekali dan disewa bulanan; kursus apabila ia diadakan.")
COST_LINES = Phrase("What the money is for", "Butiran peruntukan")
BY_YEAR = Phrase("Cost by year", "Kos mengikut tahun")
POSTS_CAPTION = Phrase(
    "Table 1: Posts before and after the plan, by site, team and rank",
    "Jadual 1: Jawatan sebelum dan selepas pelan, mengikut lokasi, pasukan dan pangkat")
TRAINING_CAPTION = Phrase(
    "People trained, by course and site: one for each place bought",
    "Anggota dilatih, mengikut kursus dan lokasi: seorang bagi setiap tempat yang dibeli")
KEPT_CAPTION = Phrase(
    "What the plan keeps as it is, at no new cost (not among what the money is for)",
    "Perkara yang dikekalkan oleh pelan tanpa kos baharu (bukan sebahagian daripada "
    "peruntukan yang dipohon)")
KEPT_POSTS = Phrase("posts that stay where they are", "jawatan yang kekal di tempat sedia ada")
KEPT_CAMPAIGNS = Phrase("awareness campaigns a year, as today",
                        "kempen kesedaran setahun, seperti sedia ada")
KEPT_LINE = Phrase("today's internet line", "talian internet sedia ada")
UNCHANGED = Phrase("unchanged", "tidak berubah")
SITES = Phrase("{n} sites", "{n} lokasi")
PLACES_BOUGHT = Phrase("Places bought", "Tempat dibeli")
STATES_COUNT = Phrase("{n} states", "{n} negeri")

RECOMMENDATION_TEXT = Phrase(
    "It is recommended that the proposal be considered and approved: {total} over {period} "
    "for MICAC (D11, PDRM), {one_off} one-off and {recurring} recurring, within "
    "{envelope}, {posts}; and that MICAC report its raids, arrests, charges, investigations "
    "closed without a raid and high-risk tip-offs examined within target each year against "
    "the ranges expected above, so that the plan can be reviewed.",
    "Sehubungan itu, adalah disyorkan agar cadangan ini dipertimbangkan dan diluluskan: "
    "peruntukan sebanyak {total} bagi tempoh {period} untuk MICAC (D11, PDRM), iaitu "
    "{one_off} kos sekali sahaja dan {recurring} kos berulang, dalam lingkungan "
    "{envelope}, {posts}; dan agar MICAC melaporkan serbuan, tangkapan, pertuduhan, siasatan "
    "yang ditutup tanpa serbuan dan tip-off berisiko tinggi yang diperiksa dalam tempoh "
    "sasaran setiap tahun berbanding julat jangkaan di atas bagi tujuan semakan pelan.")
RECOMMEND_CHANGES = Phrase("with these changes to MICAC's posts: {changes}",
                           "dengan perubahan jawatan MICAC berikut: {changes}")
RECOMMEND_NO_CHANGE = Phrase("keeping MICAC's posts where they are",
                             "dengan jawatan MICAC dikekalkan di tempat sedia ada")

ASSUMPTIONS_TEXT = Phrase(
    "Parameters of the simulation with their plausible range and source or reasoning, as "
    "recorded in the run (notes in English).",
    "Parameter simulasi beserta julat munasabah dan sumber atau alasannya, seperti yang "
    "direkodkan dalam larian (catatan dalam bahasa Inggeris).")
FACTS_TITLE = Phrase("Published facts used", "Fakta terbitan yang digunakan")

CHART_COSTS = Phrase("Cost by year and category", "Kos mengikut tahun dan kategori")
CHART_OPTIONS = Phrase(
    "National outcomes of each option over {period} (mean and 95 % interval)",
    "Hasil nasional setiap pilihan bagi tempoh {period} (min dan selang 95 %)")
CHART_YEAR = Phrase("year", "tahun")
CHART_COST_AXIS = Phrase("cost (RM million)", "kos (RM juta)")
CHART_ONE_OFF = Phrase("one-off (hatched)", "sekali sahaja (berlorek)")
CHART_RECURRING = Phrase("recurring (solid)", "berulang (padu)")
FEWER_IS_BETTER = Phrase("fewer is better", "kurang lebih baik")

# ---------------------------------------------------------------------------------------
# Table headers and rows
# ---------------------------------------------------------------------------------------

OUTCOME = Phrase("Outcome", "Hasil")
THIS_PLAN = Phrase("This plan", "Pelan ini")
DIFFERENCE = Phrase("Difference", "Perbezaan")
DIFFERENCE_VS = Phrase("Difference vs {option}", "Perbezaan berbanding {option}")
COLUMN_OF = Phrase("{column}: {part}", "{column}: {part}")
CHANGE = Phrase("Change", "Perubahan")
WHERE = Phrase("Where", "Lokasi")
MODEL_GAIN = Phrase("Solver's estimate", "Anggaran penyelesai")
EXTRA_COST = Phrase("Extra cost (RM)", "Kos tambahan (RM)")
SIMULATED_GAIN = Phrase("Simulated gain [95 % interval]", "Tambahan simulasi [selang 95 %]")
ITEM = Phrase("Item", "Butiran")
CATEGORY = Phrase("Category", "Kategori")
QUANTITY = Phrase("Quantity", "Kuantiti")
UNIT = Phrase("Unit", "Unit")
ONE_OFF = Phrase("One-off (RM)", "Sekali sahaja (RM)")
RECURRING = Phrase("Recurring (RM)", "Berulang (RM)")
TOTAL = Phrase("Total (RM)", "Jumlah (RM)")
YEAR_RM = Phrase("{year} (RM)", "{year} (RM)")
TOTAL_ROW = Phrase("Total", "Jumlah")
ENVELOPE_ROW = Phrase("Envelope", "Siling")
REMAINING_ROW = Phrase("Remaining", "Baki")
YEAR = Phrase("Year", "Tahun")
STATE = Phrase("State", "Negeri")
SITE = Phrase("Site", "Lokasi")
SITE_AND_TEAM = Phrase("Site and team", "Lokasi dan pasukan")
RANK = Phrase("Rank", "Pangkat")
TEAM = Phrase("Team", "Pasukan")
BEFORE_AFTER = Phrase("{what} {when}", "{what} {when}")
BEFORE = Phrase("before", "sebelum")
AFTER = Phrase("after", "selepas")
OFFICERS = Phrase("Officers", "Pegawai")
LOWER_RANKS = Phrase("Lower ranks", "Pangkat rendah")
ALL_POSTS = Phrase("All", "Semua")
HEADQUARTERS_ROW = Phrase("Headquarters", "Ibu Pejabat")
STATES_ROW = Phrase("States", "Negeri")
PAID_FROM = Phrase("Paid from", "Dibayar mulai")
UNIT_ONE_OFF = Phrase("Unit one-off (RM)", "Seunit sekali sahaja (RM)")
UNIT_RECURRING = Phrase("Unit recurring (RM a year)", "Seunit berulang (RM setahun)")
RECURRING_A_YEAR = Phrase("Recurring (RM a year)", "Berulang (RM setahun)")
HORIZON_START = Phrase("First day of the horizon", "Hari pertama tempoh pelan")
HORIZON_END = Phrase("Last day of the horizon", "Hari terakhir tempoh pelan")
FORMULA_NOTE = Phrase(
    "One-off = quantity x unit one-off, paid in the year of 'Paid from'; recurring = "
    "quantity x unit recurring a year, paid from 'Paid from' to the last day of the horizon, "
    "each year's share by the days of it paid for. Change a unit price, a quantity or a date "
    "and every total follows.",
    "Sekali sahaja = kuantiti x seunit sekali sahaja, dibayar pada tahun 'Dibayar mulai'; "
    "berulang = kuantiti x seunit berulang setahun, dibayar dari 'Dibayar mulai' hingga hari "
    "terakhir tempoh pelan, bahagian setiap tahun mengikut bilangan hari yang dibayar. Ubah "
    "harga seunit, kuantiti atau tarikh dan semua jumlah akan berubah.")
PARAMETER = Phrase("Parameter", "Parameter")
VALUE = Phrase("Value", "Nilai")
LOW = Phrase("Low", "Rendah")
HIGH = Phrase("High", "Tinggi")
RANGE = Phrase("Range", "Julat")
NOTE = Phrase("Note or source", "Catatan atau sumber")
FACT = Phrase("Fact", "Fakta")
SOURCE = Phrase("Source", "Sumber")
MEAN = Phrase("mean", "min")
CODE = Phrase("Code", "Kod")
LEVER_CODE = Phrase("Lever", "Tuil")

SHEET_LINE_ITEMS = Phrase("Line items", "Butiran kos")
SHEET_OUTCOMES = Phrase("Outcomes", "Hasil")
SHEET_ASSUMPTIONS = Phrase("Assumptions", "Andaian")
SHEET_POSTS = Phrase("Posts", "Jawatan")
SHEET_KEPT = Phrase("Kept", "Dikekalkan")

# ---------------------------------------------------------------------------------------
# Options, places, categories, levers and units
# ---------------------------------------------------------------------------------------

OPTIONS_IN_SENTENCE: Mapping[str, Phrase] = {
    OPTIMISED: Phrase("this plan", "pelan ini"),
    STATUS_QUO: Phrase("the status quo", "status quo"),
    "three_to_four_per_state": Phrase("three to four posts per state",
                                      "tiga hingga empat jawatan setiap negeri"),
    "head_proposal": Phrase("the unit head's own proposal", "cadangan Ketua Unit sendiri"),
}
OPTIONS_AS_NAME: Mapping[str, Phrase] = {
    OPTIMISED: Phrase("This plan", "Pelan ini"),
    STATUS_QUO: Phrase("Status quo", "Status quo"),
    "three_to_four_per_state": Phrase("Three to four per state",
                                      "Tiga hingga empat setiap negeri"),
    "head_proposal": Phrase("Head's proposal", "Cadangan Ketua Unit"),
}
SCOPES: Mapping[str, Phrase] = {
    NATIONAL: Phrase("national", "nasional"),
    HQ: Phrase("HQ (Bukit Aman)", "Ibu Pejabat (Bukit Aman)"),
}
STATE_NAME = Phrase("{name} ({code})", "{name} ({code})")

CATEGORIES: Mapping[Category, Phrase] = {
    Category.POSTS: Phrase("Posts", "Jawatan"),
    Category.TRAINING: Phrase("Training", "Latihan"),
    Category.BANDWIDTH: Phrase("Bandwidth", "Lebar jalur"),
    Category.CAMPAIGNS: Phrase("Awareness campaigns", "Kempen kesedaran"),
    Category.OTHER: Phrase("Other", "Lain-lain"),
}
COURSES: Mapping[str, Phrase] = {
    "digital_forensics": Phrase("digital forensics", "forensik digital"),
    "covert_online": Phrase("covert online work", "penyamaran dalam talian"),
    "child_interview": Phrase("interviewing child victims", "temu bual mangsa kanak-kanak"),
}
DELIVERIES: Mapping[str, Phrase] = {
    "train_the_trainer": Phrase("train-the-trainer", "latih jurulatih"),
    "abroad": Phrase("abroad", "luar negara"),
    "local": Phrase("local", "tempatan"),
}
TEAMS: Mapping[str, Phrase] = {
    "download_team": Phrase("HQ download team", "pasukan muat turun Ibu Pejabat"),
    "forensic_team": Phrase("HQ forensic team", "pasukan forensik Ibu Pejabat"),
}
TEAM_NAMES: Mapping[str, Phrase] = {
    "download_team": Phrase("download team", "pasukan muat turun"),
    "forensic_team": Phrase("forensic team", "pasukan forensik"),
}
"""A team named inside HQ's row or sentence."""
RANK_POSTS: Mapping[str, Phrase] = {
    "officers": Phrase("officer posts", "jawatan pegawai"),
    "lower_ranks": Phrase("lower-rank posts", "jawatan anggota pangkat rendah"),
}
RANK_ADJECTIVES: Mapping[str, Phrase] = {
    "officers": Phrase("officer", "pegawai"),
    "lower_ranks": Phrase("lower-rank", "anggota pangkat rendah"),
}
"""A rank as it qualifies "posts" inside :data:`NEW_POSTS`."""

NEW_POSTS_SALARY = Phrase("new {posts}: salaries and allowances",
                          "{posts} baharu: gaji dan elaun")
NEW_POSTS_SET_UP = Phrase("new {posts}: recruitment and equipment",
                          "{posts} baharu: pengambilan dan peralatan")
POSTS_MOVED = Phrase("posts moved to another site or team: relocation",
                     "jawatan dipindahkan ke lokasi atau pasukan lain: pemindahan")
TEAM_POSTS = Phrase("{team}: {posts}", "{team}: {posts}")
COURSE_PLACES = Phrase("training in {course}, {delivery}", "latihan {course}, {delivery}")
TRAINED = Phrase("people trained in {course}", "anggota dilatih dalam {course}")
LINE = Phrase("internet line at headquarters", "talian internet Ibu Pejabat")
CAMPAIGNS_A_YEAR = Phrase("awareness campaigns a year", "kempen kesedaran setahun")
EXTRA_CAMPAIGNS = Phrase("awareness campaigns a year beyond today's",
                         "kempen kesedaran setahun melebihi tahap sedia ada")
LINE_OF = Phrase("{line}, {mbps} Mbps", "{line}, {mbps} Mbps")

UNITS: Mapping[str, Phrase] = {
    "posts": Phrase("posts", "jawatan"),
    "places": Phrase("places", "tempat"),
    "people trained": Phrase("people trained", "anggota dilatih"),
    "line": Phrase("line", "talian"),
    "campaigns a year": Phrase("campaigns a year", "kempen setahun"),
    "Mbps": Phrase("Mbps", "Mbps"),
    "actioned tip-offs": Phrase("actioned tip-offs", "tip-off diambil tindakan"),
    "tip-offs": Phrase("tip-offs", "tip-off"),
    "raids": Phrase("raids", "serbuan"),
    "arrests": Phrase("arrests", "tangkapan"),
    "charges": Phrase("charges", "pertuduhan"),
    "post": Phrase("post", "jawatan"),
    "RM1 million": Phrase("RM1 million", "RM1 juta"),
    "line tier": Phrase("line tier", "peringkat talian"),
}
"""Units of ``plan.csv``, ``marginal.csv`` and the metric catalogue, keyed by their English."""

TOOLS: Mapping[str, Phrase] = {
    "tooling.risk_scoring": Phrase("risk-scoring software for triage",
                                   "perisian penilaian risiko untuk saringan"),
    "tooling.hash_matching": Phrase("hash-matching software for review",
                                    "perisian padanan cincang untuk semakan"),
    "tooling.workstations": Phrase("download workstations with storage",
                                   "stesen kerja muat turun beserta storan"),
}
"""The tooling levers of ``plan.csv`` in words, keyed by their code."""
TOOLING_CATEGORY = Phrase("Tooling", "Peralatan dan perisian")

MARGINAL_LEVERS: Mapping[str, Phrase] = {
    text: Phrase(text, malay) for text, malay in (
        ("one more officer post", "satu jawatan pegawai tambahan"),
        ("one more lower-rank post", "satu jawatan anggota pangkat rendah tambahan"),
        ("RM1 million more", "RM1 juta tambahan"),
        ("100 Mbps more", "100 Mbps tambahan"),
    )
}
"""The changes of ``marginal.csv`` (written in English by the solver), keyed by their text."""

MONTHS: tuple[Phrase, ...] = tuple(Phrase(en, ms) for en, ms in (
    ("January", "Januari"), ("February", "Februari"), ("March", "Mac"), ("April", "April"),
    ("May", "Mei"), ("June", "Jun"), ("July", "Julai"), ("August", "Ogos"),
    ("September", "September"), ("October", "Oktober"), ("November", "November"),
    ("December", "Disember")))

# ---------------------------------------------------------------------------------------
# The published facts the background cites
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fact:
    """A published fact and where it was published."""

    text: Phrase
    source: str


PUBLISHED_FACTS: tuple[Fact, ...] = (
    Fact(Phrase(
        "MICAC began informally in 2018, with three D11 officers working on it on top of "
        "their other duties.",
        "MICAC bermula secara tidak rasmi pada 2018 dengan tiga pegawai D11 yang "
        "menjalankannya di samping tugas hakiki mereka."), MALAY_MAIL),
    Fact(Phrase(
        "56 MICAC posts were created in June 2022: a few dozen at Bukit Aman and one or two "
        "in each state contingent.",
        "Sebanyak 56 jawatan MICAC diwujudkan pada Jun 2022: beberapa puluh di Bukit Aman "
        "dan satu atau dua di setiap kontinjen negeri."), MALAY_MAIL),
    Fact(Phrase(
        "RM13 million special allocation to D11, Budget 2022: one-off and fully spent, on the "
        "posts, equipment for Child Interview Centres and awareness campaigns. The Home "
        "Ministry had asked for RM17 million and 148 posts; D11 has had no allocation of its "
        "own since.",
        "Peruntukan khas RM13 juta kepada D11, Bajet 2022: sekali sahaja dan telah "
        "dibelanjakan sepenuhnya, bagi jawatan, peralatan Pusat Temu Bual Kanak-kanak dan "
        "kempen kesedaran. Kementerian Dalam Negeri telah memohon RM17 juta dan 148 "
        "jawatan; sejak itu tiada peruntukan khusus bagi D11."), MALAY_MAIL),
    Fact(Phrase(
        "Tip-offs received rose from 2,660 in 2018 to 119,825 in 2023 (1 January to "
        "27 November).",
        "Tip-off yang diterima meningkat daripada 2,660 pada 2018 kepada 119,825 pada 2023 "
        "(1 Januari hingga 27 November)."), MALAY_MAIL),
    Fact(Phrase(
        "Of 248,166 IP addresses reported from 2018 to 27 November 2023, the evidence of "
        "25,243 (about 10.2 %) was downloaded; limited bandwidth and logistics held back the "
        "rest. The tip-offs led to 251 raids and 109 arrests.",
        "Daripada 248,166 alamat IP yang dilaporkan dari 2018 hingga 27 November 2023, bahan "
        "bukti bagi 25,243 (kira-kira 10.2 %) sahaja dimuat turun kerana kekangan lebar "
        "jalur dan logistik. Tip-off tersebut membawa kepada 251 serbuan dan 109 tangkapan."),
        MALAY_MAIL),
    Fact(Phrase(
        "The unit's head says it will need three to four officers and personnel in every "
        "state, more in large states such as Selangor.",
        "Ketua unit menyatakan keperluan tiga hingga empat pegawai dan anggota di setiap "
        "negeri, dan lebih di negeri besar seperti Selangor."), MALAY_MAIL),
)
"""Published facts the paper's background and appendix cite."""

FACT_WITH_SOURCE = Phrase("{fact} ({source})", "{fact} ({source})")

# ---------------------------------------------------------------------------------------
# Looking words up
# ---------------------------------------------------------------------------------------


def _words(vocabulary: Mapping[Any, Phrase], key: Any, language: Language) -> str:
    """``key`` in words, or the key itself with spaces for underscores when unknown."""
    phrase = vocabulary.get(key)
    return phrase(language) if phrase else str(key).replace("_", " ")


def describe_lever(lever: Lever, language: Language) -> str:
    """A lever in words, as a budget paper's line item names it.

    Parameters
    ----------
    lever : Lever
        A lever of ``plan.csv``, as :meth:`model.levers.Lever.parse` read it.
    language : {"en", "ms"}
        The language of the words.

    Returns
    -------
    str
        The words: ``training_covert_online_abroad`` -> "training in covert online work,
        abroad".
    """
    if lever.code in TOOLS:
        return TOOLS[lever.code](language)
    fixed = {LeverKind.POSTS_MOVED: POSTS_MOVED, LeverKind.LINE: LINE,
             LeverKind.CAMPAIGNS: CAMPAIGNS_A_YEAR}.get(lever.kind)
    if fixed is not None:
        return fixed(language)
    posts = _words(RANK_POSTS, lever.rank, language)
    course = _words(COURSES, lever.course, language)
    match lever.kind:
        case LeverKind.NEW_POSTS_SALARY:
            return NEW_POSTS_SALARY.format(language, posts=posts)
        case LeverKind.NEW_POSTS_SET_UP:
            return NEW_POSTS_SET_UP.format(language, posts=posts)
        case LeverKind.POSTS if lever.team:
            return TEAM_POSTS.format(language, team=_words(TEAMS, lever.team, language),
                                     posts=posts)
        case LeverKind.POSTS:
            return posts
        case LeverKind.COURSE_PLACES:
            return COURSE_PLACES.format(language, course=course,
                                        delivery=_words(DELIVERIES, lever.delivery, language))
        case LeverKind.TRAINED:
            return TRAINED.format(language, course=course)
        case _:
            return lever.code.replace("_", " ").replace(".", ": ")


def describe_scope(scope: str, states: Mapping[str, Any], language: Language) -> str:
    """``"national"``, ``"hq"`` or a state code in words: ``"Selangor (SGR)"``.

    Parameters
    ----------
    scope : str
        The ``scope`` column of a result table.
    states : mapping
        The scenario's states by code (their ``name``), as ``run.json`` records them.
    language : {"en", "ms"}
        The language of the words.

    Returns
    -------
    str
        The place in words; an unknown code as it is.
    """
    if scope in SCOPES:
        return SCOPES[scope](language)
    name = (states.get(scope) or {}).get("name")
    return STATE_NAME.format(language, name=name, code=scope) if name else scope


def describe_unit(unit: str, language: Language) -> str:
    """A unit of a result table in ``language``; an unknown unit as it is."""
    phrase = UNITS.get(unit)
    return phrase(language) if phrase else unit


def describe_category(category: Category, language: Language) -> str:
    """A budget heading in ``language``: ``"Training"``, ``"Latihan"``."""
    if str(category) == "tooling":
        return TOOLING_CATEGORY(language)
    return _words(CATEGORIES, category, language)


def describe_option(option: str, language: Language) -> str:
    """An option as named inside a sentence: ``"the status quo"``."""
    return _words(OPTIONS_IN_SENTENCE, option, language)


def option_name(option: str, language: Language) -> str:
    """An option as named in a table header or a legend: ``"Status quo"``."""
    return _words(OPTIONS_AS_NAME, option, language)


def marginal_change(change: str, language: Language) -> str:
    """A change of ``marginal.csv`` in ``language``; an unknown one as the solver wrote it."""
    phrase = MARGINAL_LEVERS.get(change)
    return phrase(language) if phrase else change


def interval_words(recorded: str | None, language: Language) -> str:
    """The kind of interval the run reports, as the method paragraph names it."""
    phrase = INTERVAL_RECORDED if recorded else INTERVAL_DEFAULT
    return phrase.format(language, recorded=recorded)


def join_words(parts: Sequence[str], language: Language) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {AND(language)} {parts[-1]}"


def long_date(text: Any, language: Language) -> str:
    """An ISO date or time stamp as a paper writes it: ``"2026-11-28T20:52"`` -> 28 November 2026.

    Text that is not a date is returned as it is.
    """
    try:
        day = dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return str(text)
    return f"{day.day} {MONTHS[day.month - 1](language)} {day.year}"
