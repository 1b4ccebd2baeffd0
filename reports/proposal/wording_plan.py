"""The proposal's words for the terms of the plan, English and formal Malay side by side.

What the plan was chosen for (its objective and service levels), the two-part budget and
the liabilities it leaves, the constraints that bind and the trade-off frontier: the
phrases here follow :mod:`reports.proposal.wording`'s :class:`Phrase` (one sentence in
both languages, fields named alike), kept apart only so that neither module outgrows a
reader.
"""

from __future__ import annotations

from collections.abc import Mapping

from reports.proposal.wording import Phrase

# ---------------------------------------------------------------------------------------
# Objective and service levels
# ---------------------------------------------------------------------------------------

OBJECTIVE_TEXT = Phrase(
    "The optimiser was asked to make {objective} as large as it could, within the budget and "
    "the service levels below.{note}",
    "Pengoptimum diminta memaksimumkan {objective}, dalam lingkungan bajet dan tahap "
    "perkhidmatan di bawah.{note}")
OBJECTIVE_ACTIONED = Phrase(
    "The optimiser was asked to make the number of actioned tip-offs as large as it could: "
    "raids plus investigations closed without a raid, so a closure on paper counted as much "
    "as a raid.",
    "Pengoptimum diminta memaksimumkan bilangan tip-off yang diambil tindakan: serbuan "
    "serta siasatan yang ditutup tanpa serbuan, maka penutupan di atas kertas dikira sama "
    "seperti serbuan.")
OBJECTIVE_NOTE = Phrase(" The weights: {note}", " Pemberat: {note}")
WEIGHTED = Phrase("{weight} × {metric}", "{weight} × {metric}")
PLUS = Phrase("plus", "campur")
SERVICE_CAPTION = Phrase(
    "Service levels the plan must keep, and whether they hold in the simulation",
    "Tahap perkhidmatan yang mesti dikekalkan oleh pelan, dan sama ada ia dipenuhi dalam "
    "simulasi")
SERVICE_TEXT = Phrase(
    "A floor relative to the status quo is judged on the paired difference: it holds where "
    "the whole 95 % interval of this plan minus the status quo lies at or above the shortfall "
    "the floor allows. An absolute floor, or a floor on one state, is judged on the plan's "
    "own interval. 'Not shown' means the interval reaches below the floor.",
    "Tahap minimum berbanding status quo dinilai melalui perbezaan berpasangan: ia dipenuhi "
    "jika keseluruhan selang 95 % bagi pelan ini tolak status quo berada pada atau melebihi "
    "kekurangan yang dibenarkan. Tahap minimum mutlak, atau bagi satu negeri, dinilai "
    "melalui selang pelan itu sendiri. 'Tidak terbukti' bermaksud selang itu menjangkau di "
    "bawah tahap minimum.")
NO_SERVICE_LEVELS = Phrase(
    "The run set no service levels: nothing but the budget bound the plan's outcomes.",
    "Larian ini tidak menetapkan tahap perkhidmatan: hanya bajet yang mengehadkan hasil "
    "pelan.")
FLOOR = Phrase("Floor", "Tahap minimum")
AGAINST_STATUS_QUO = Phrase("Minus status quo (paired)", "Tolak status quo (berpasangan)")
HOLDS = Phrase("Holds?", "Dipenuhi?")
FLOOR_RELATIVE = Phrase("at least {share} of the status quo ({value})",
                        "sekurang-kurangnya {share} daripada status quo ({value})")
FLOOR_ABSOLUTE = Phrase("at least {value}", "sekurang-kurangnya {value}")
HOLDS_WORDS: Mapping[str, Phrase] = {
    "holds": Phrase("holds", "dipenuhi"),
    "not shown": Phrase("not shown", "tidak terbukti"),
    "breached": Phrase("breached", "tidak dipenuhi"),
    "unknown": Phrase("unknown", "tidak diketahui"),
}
"""The judgements of :class:`reports.proposal.terms.Holds` in words."""

# ---------------------------------------------------------------------------------------
# Outcomes
# ---------------------------------------------------------------------------------------

ACTIONED_EXPLAINED = Phrase("{label} (raids plus investigations closed without a raid)",
                            "{label} (serbuan serta siasatan ditutup tanpa serbuan)")
SENTENCE_SAME = Phrase(
    "{label}: the same as {option} (95 % interval {low} to {high}): {verdict}.",
    "{label}: sama seperti {option} (selang 95 %: {low} hingga {high}): {verdict}.")
HIGHER = Phrase("higher", "lebih tinggi")
LOWER = Phrase("lower", "lebih rendah")
POINTS = Phrase("percentage points", "mata peratusan")
POINTS_SHORT = Phrase("pts", "mata")
"""After a difference of shares in a table cell: percentage points."""
STATES_CAPTION = Phrase(
    "Outcomes by state under this plan over {period} (mean [95 % interval])",
    "Hasil mengikut negeri di bawah pelan ini bagi tempoh {period} (min [selang 95 %])")
BEST_ON = Phrase(
    "Of the plans compared in the simulation, it does best on {objective}, better than "
    "{options}.",
    "Antara pelan yang dibandingkan dalam simulasi, pelan ini terbaik bagi {objective}, "
    "lebih baik daripada {options}.")
OUTCOMES_NOTE = Phrase(
    "Investigations closed without a raid are their own line and are never added to raids. "
    "High-risk tip-offs examined within target are those downloaded and reviewed by their "
    "target day, of those whose target day falls inside the period; the share is of those.",
    "Siasatan yang ditutup tanpa serbuan dilaporkan berasingan dan tidak dicampur dengan "
    "serbuan. Tip-off berisiko tinggi diperiksa dalam tempoh sasaran ialah yang dimuat turun "
    "dan disemak sebelum hari sasarannya, daripada yang hari sasarannya jatuh dalam tempoh "
    "ini; bahagian itu dikira daripada jumlah tersebut.")

# ---------------------------------------------------------------------------------------
# The two-part budget and the liabilities after the horizon
# ---------------------------------------------------------------------------------------

BUDGET_TEXT = Phrase(
    "The budget has two parts. One-off money: the plan spends {one_off} of the {envelope} "
    "one-off envelope, leaving {unspent} unspent. Recurring money: {recurring} over "
    "{period}, {last_year_rm} in {last_year}, within an annual ceiling of {ceiling}. "
    "{from_one_off}",
    "Bajet ini terbahagi kepada dua. Peruntukan sekali sahaja: pelan membelanjakan "
    "{one_off} daripada siling sekali sahaja {envelope}, dengan baki {unspent} tidak "
    "dibelanjakan. Peruntukan berulang: {recurring} bagi tempoh {period}, {last_year_rm} "
    "pada {last_year}, dalam had tahunan {ceiling}. {from_one_off}")
NOT_FROM_ONE_OFF = Phrase("No recurring cost is paid from the one-off money.",
                          "Tiada kos berulang dibayar daripada peruntukan sekali sahaja.")
FROM_ONE_OFF = Phrase(
    "The scenario lets recurring costs be paid from the one-off money.",
    "Senario ini membenarkan kos berulang dibayar daripada peruntukan sekali sahaja.")
MINISTRY_REQUEST = Phrase(
    "D11 has no annual allocation of its own (Malay Mail, 1 Feb 2024), so the recurring "
    "cost is a request to the Ministry of Home Affairs: {recurring} over {period} and "
    "{liabilities} from {first_after} to {to_year}. The annual ceiling of {ceiling} is the "
    "planner's ask, an assumption, not an allocation already made.",
    "D11 tidak mempunyai peruntukan tahunan sendiri (Malay Mail, 1 Feb 2024), maka kos "
    "berulang ini ialah permohonan kepada Kementerian Dalam Negeri: {recurring} bagi tempoh "
    "{period} dan {liabilities} dari {first_after} hingga {to_year}. Had tahunan {ceiling} "
    "ialah permohonan perancang, iaitu andaian, bukan peruntukan yang telah diluluskan.")
MINISTRY_REQUEST_NO_AFTER = Phrase(
    "D11 has no annual allocation of its own (Malay Mail, 1 Feb 2024), so the recurring "
    "cost, {recurring} over {period}, is a request to the Ministry of Home Affairs. The "
    "annual ceiling of {ceiling} is the planner's ask, an assumption, not an allocation "
    "already made.",
    "D11 tidak mempunyai peruntukan tahunan sendiri (Malay Mail, 1 Feb 2024), maka kos "
    "berulang ini, {recurring} bagi tempoh {period}, ialah permohonan kepada Kementerian "
    "Dalam Negeri. Had tahunan {ceiling} ialah permohonan perancang, iaitu andaian, bukan "
    "peruntukan yang telah diluluskan.")
MONEY_CAPTION = Phrase("Money by year: one-off and recurring, against what is available",
                       "Peruntukan mengikut tahun: sekali sahaja dan berulang, berbanding "
                       "peruntukan yang ada")
ONE_OFF_AVAILABLE = Phrase("One-off available (RM)", "Sekali sahaja tersedia (RM)")
RECURRING_CEILING = Phrase("Recurring ceiling (RM)", "Had berulang (RM)")
UNSPENT = Phrase("Unspent (RM)", "Tidak dibelanjakan (RM)")
LIABILITIES_CAPTION = Phrase(
    "Recurring cost after {last_year}: the liabilities the plan leaves, to {to_year}",
    "Kos berulang selepas {last_year}: liabiliti yang ditinggalkan oleh pelan, hingga "
    "{to_year}")
NO_LIABILITIES = Phrase("The plan leaves no recurring cost after {last_year}.",
                        "Pelan ini tidak meninggalkan kos berulang selepas {last_year}.")
BEYOND_HORIZON = Phrase("After the horizon", "Selepas tempoh pelan")
MISMATCH = Phrase(
    "budget.csv gives {budget} for {year}, plan.csv {plan}; the tables follow plan.csv's "
    "cost lines.",
    "budget.csv memberikan {budget} bagi {year}, plan.csv {plan}; jadual mengikut butiran "
    "kos plan.csv.")
POSTS_BY_YEAR_CAPTION = Phrase("New posts by the year they are created",
                               "Jawatan baharu mengikut tahun ia diwujudkan")
ENVELOPES = Phrase(
    "the {envelope} one-off envelope, with recurring cost of {recurring} a year requested "
    "from the ministry within an annual ceiling of {ceiling}",
    "siling sekali sahaja {envelope}, dengan kos berulang {recurring} setahun dipohon "
    "daripada kementerian dalam had tahunan {ceiling}")
ONE_OFF_ENVELOPE = Phrase("One-off envelope", "Siling sekali sahaja")
REMAINING_ONE_OFF = Phrase("{amount} of the one-off envelope",
                           "{amount} daripada siling sekali sahaja")
ONE_ENVELOPE = Phrase("the {envelope} envelope", "siling {envelope}")

# ---------------------------------------------------------------------------------------
# Binding constraints and the frontier
# ---------------------------------------------------------------------------------------

BINDING_CAPTION = Phrase("Binding constraints: what relaxing each by one unit would gain",
                         "Kekangan mengikat: tambahan hasil jika setiap satu dilonggarkan "
                         "sebanyak satu unit")
BINDING_TEXT = Phrase(
    "Each constraint below holds the plan back. Its shadow value is the optimiser's "
    "estimate of the gain in {objective} from relaxing it by one unit (one post, RM1 million "
    "or one line tier); for the largest three the gain was simulated, with its 95 % "
    "interval. A dash: not simulated.",
    "Setiap kekangan di bawah mengehadkan pelan. Nilai bayangnya ialah anggaran pengoptimum "
    "bagi tambahan {objective} jika kekangan itu dilonggarkan sebanyak satu unit (satu "
    "jawatan, RM1 juta atau satu peringkat talian); bagi tiga yang terbesar, tambahan itu "
    "disimulasikan beserta selang 95 %. Sengkang: tidak disimulasikan.")
NO_BINDING = Phrase("No constraint binds the plan: relaxing any one would gain nothing.",
                    "Tiada kekangan yang mengikat pelan: melonggarkan mana-mana satu tidak "
                    "menambah hasil.")
CONSTRAINT = Phrase("Constraint", "Kekangan")
BOUND = Phrase("Bound", "Had")
SHADOW_VALUE = Phrase("Shadow value (a unit)", "Nilai bayang (seunit)")
FRONTIER_CAPTION = Phrase("Trade-off between {x} and {y}: plans verified in the simulation",
                          "Keseimbangan antara {x} dan {y}: pelan yang disahkan dalam "
                          "simulasi")
FRONTIER_TEXT = Phrase(
    "Each point is a plan the optimiser found for a different balance of {x} and {y}, each "
    "verified in the simulation (mean, with 95 % interval bars on both axes); the star is "
    "this plan. Along the frontier, more of one outcome costs some of the other.",
    "Setiap titik ialah pelan yang ditemui pengoptimum bagi keseimbangan berbeza antara {x} "
    "dan {y}, setiap satu disahkan dalam simulasi (min, dengan bar selang 95 % pada kedua-"
    "dua paksi); bintang ialah pelan ini. Di sepanjang sempadan, lebih banyak satu hasil "
    "bermakna kurang hasil yang satu lagi.")
FRONTIER_EQUAL = Phrase(
    "Frontier point {point} gives as many {x} as this plan, within the indifference zone "
    "({x_point} against {x_plan}), and {times} times its {y} ({y_point} against {y_plan}), "
    "for RM{cost} {more}. The objective counts only {x}, so the optimiser does not buy {y} "
    "beyond the service level; whether that much more {y} is worth the money is a choice "
    "for the committee, not the model.",
    "Titik sempadan {point} memberikan {x} sebanyak pelan ini, dalam zon ketidakbezaan "
    "({x_point} berbanding {x_plan}), dan {times} kali ganda {y}nya ({y_point} berbanding "
    "{y_plan}), dengan RM{cost} {more}. Objektif hanya mengira {x}, maka pengoptimum tidak "
    "membeli {y} melebihi tahap perkhidmatan; sama ada {y} yang jauh lebih banyak itu "
    "berbaloi dengan wangnya ialah pilihan jawatankuasa, bukan model.")
MORE_MONEY = Phrase("more", "lebih")
LESS_MONEY = Phrase("less", "kurang")
POINT = Phrase("Point", "Titik")
PLAN = Phrase("Plan", "Pelan")
COST_RM = Phrase("Cost (RM)", "Kos (RM)")
FRONTIER_PLANS = Phrase("plans on the frontier", "pelan di sempadan")

# ---------------------------------------------------------------------------------------
# Workbook sheets and what an older run lacks
# ---------------------------------------------------------------------------------------

SHEET_BUDGET = Phrase("Budget", "Bajet")
SHEET_SERVICE = Phrase("Service levels", "Tahap perkhidmatan")
SHEET_BINDING = Phrase("Binding", "Kekangan")
SHEET_FRONTIER = Phrase("Frontier", "Sempadan")
SHEET_STATES = Phrase("By state", "Mengikut negeri")
NO_FRONTIER = Phrase(
    "frontier.csv holds no plan: the solver found none for the frontier's levels within "
    "its work limit (optimise.procedure.deterministic_time_limit); raise the limit and run "
    "the optimisation again to see the trade-off. The plan above does not depend on it.",
    "frontier.csv tiada pelan: penyelesai tidak menemui pelan bagi aras sempadan dalam "
    "had kerjanya (optimise.procedure.deterministic_time_limit); naikkan had itu dan "
    "jalankan semula pengoptimuman untuk melihat keseimbangannya. Pelan di atas tidak "
    "bergantung padanya.")
ABSENT_FILE = Phrase(
    "{file} is not in this run folder (it was written before the file existed); run the "
    "optimisation again to see this.",
    "{file} tiada dalam folder larian ini (ia ditulis sebelum fail itu wujud); jalankan "
    "semula pengoptimuman untuk melihatnya.")
