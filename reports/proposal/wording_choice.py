"""The proposal's words for how the plan was chosen, English and formal Malay side by side.

The candidates and where they came from, the selection procedure, the fresh replications,
the certificate's checks and the regret across explanations and demand; in reverse mode,
the target.  The phrases follow :mod:`reports.proposal.wording`'s :class:`Phrase`, kept
apart only so that no wording module outgrows a reader.
"""

from __future__ import annotations

from collections.abc import Mapping

from reports.proposal.wording import Phrase

CHOICE_HEADING = Phrase("How the plan was chosen", "Bagaimana pelan ini dipilih")

# ---------------------------------------------------------------------------------------
# Candidates, the selection and the fresh replications
# ---------------------------------------------------------------------------------------

CANDIDATES_TEXT = Phrase("The optimiser proposed {n} candidate plans: {sources}.",
                         "Pengoptimum mencadangkan {n} pelan calon: {sources}.")
SOURCES: Mapping[str, Phrase] = {
    "surrogate (corrected by the pilots)": Phrase(
        "{n} from its simplified model of the work, corrected by pilot runs in the simulation",
        "{n} daripada model ringkas proses kerja, yang diperbetulkan melalui larian rintis "
        "dalam simulasi"),
    "surrogate: the cheapest within half the zone of its best": Phrase(
        "{n} found as the cheapest plan that model promises within half the indifference "
        "zone of its best",
        "{n} yang didapati sebagai pelan termurah yang dijanjikan model itu dalam separuh zon "
        "ketidakbezaan daripada pelan terbaiknya"),
    "surrogate: a rung of the ladder, the cheapest within half the zone giving its level":
        Phrase("{n} found as the cheapest plans within half that zone that also give set "
               "multiples of today's value of another outcome (the rungs of a ladder)",
               "{n} yang didapati sebagai pelan termurah dalam separuh zon itu yang juga "
               "memberi gandaan tertentu nilai hari ini bagi satu hasil lain (anak tangga)"),
    "pilot round": Phrase("{n} tried in those pilot runs", "{n} yang dicuba dalam larian "
                          "rintis tersebut"),
    "named plan": Phrase("{n} set by a rule ({names})", "{n} yang ditetapkan oleh peraturan "
                         "({names})"),
}
"""Where ``candidates.csv`` says a candidate came from, in words (``{n}`` of them)."""
NEIGHBOURS_OF = Phrase("{n} made by one change to {base}",
                       "{n} yang dibentuk melalui satu perubahan pada {base}")
SOURCE_OTHER = Phrase("{n} from {source}", "{n} daripada {source}")
SCREENED = Phrase(
    "{n} of them missed a service level in the first {replications} replications and left "
    "the selection.",
    "{n} daripadanya tidak mencapai tahap perkhidmatan dalam {replications} replikasi "
    "pertama dan dikeluarkan daripada pemilihan.")
PROCEDURE = Phrase(
    "The simulation chose among {n} of them by a ranking-and-selection procedure (KN, Kim "
    "and Nelson 2001) with common random numbers: every candidate met the same random "
    "tip-offs, replications were added, and a candidate was dropped as soon as it was "
    "clearly behind. The procedure chooses the best plan with probability at least "
    "{probability} whenever it beats the others by at least {delta} {unit} (the indifference "
    "zone, {share} of the best mean); smaller differences are not told apart. It ran "
    "{total} replications in all.",
    "Simulasi memilih antara {n} daripadanya melalui prosedur pemeringkatan dan pemilihan "
    "(KN, Kim dan Nelson 2001) dengan nombor rawak sepunya: setiap calon menerima tip-off "
    "rawak yang sama, replikasi ditambah, dan calon digugurkan sebaik sahaja ia jelas "
    "ketinggalan. Prosedur ini memilih pelan terbaik dengan kebarangkalian sekurang-"
    "kurangnya {probability} apabila pelan itu mengatasi yang lain sekurang-kurangnya "
    "{delta} {unit} (zon ketidakbezaan, {share} daripada min terbaik); perbezaan yang lebih "
    "kecil tidak dibezakan. Prosedur ini menjalankan {total} replikasi kesemuanya.")
FRESH = Phrase(
    "Every figure in this paper comes from {reps} fresh replications (numbers {first} to "
    "{last}), never used for choosing: the best of several noisy estimates flatters the "
    "winner, so the chosen plan is measured again on replications of its own.",
    "Setiap angka dalam kertas ini diperoleh daripada {reps} replikasi baharu (nombor {first} "
    "hingga {last}) yang tidak digunakan untuk memilih: yang terbaik antara beberapa "
    "anggaran rawak melebihkan nilai pemenang, maka pelan yang dipilih diukur semula dengan "
    "replikasinya sendiri.")
PROMISE = Phrase(
    "The optimiser's simplified model promised {promised} {objective} for this plan; the "
    "simulation gives {simulated}, {difference}. Every figure in this paper is the "
    "simulation's.",
    "Model ringkas pengoptimum menjanjikan {promised} {objective} bagi pelan ini; simulasi "
    "memberikan {simulated}, iaitu {difference}. Setiap angka dalam kertas ini ialah hasil "
    "simulasi.")
OBJECTIVE_UNITS = Phrase("units of the objective", "unit objektif")
"""The unit of a weighted objective, which has none of its own."""

# ---------------------------------------------------------------------------------------
# The certificate
# ---------------------------------------------------------------------------------------

CERTIFICATE_CAPTION = Phrase("The plan's certificate: each check, its value and its threshold",
                             "Sijil pelan: setiap semakan, nilainya dan ambangnya")
CHECK = Phrase("Check", "Semakan")
THRESHOLD = Phrase("Threshold", "Ambang")
RESULT = Phrase("Result", "Keputusan")
PASSED = Phrase("passed", "lulus")
FAILED = Phrase("failed", "gagal")
CHECKS: Mapping[str, Phrase] = {
    "probability_of_correct_selection": Phrase(
        "Probability that the best plan was chosen", "Kebarangkalian pelan terbaik dipilih"),
    "indifference_zone": Phrase(
        "Indifference zone: the smallest difference told apart",
        "Zon ketidakbezaan: perbezaan terkecil yang dibezakan"),
    "best_neighbour_improvement_bound": Phrase(
        "The most one change to the plan could add (95 % upper bound)",
        "Tambahan maksimum daripada satu perubahan pada pelan (had atas 95 %)"),
    "surrogate_gap": Phrase("The simplified model's promise against the simulation",
                            "Janji model ringkas berbanding simulasi"),
    "worst_regret": Phrase(
        "Worst regret across explanations and demand beyond noise, as a share of the gain "
        "over today",
        "Kekesalan terburuk merentas penjelasan dan permintaan melebihi hingar, sebagai "
        "bahagian daripada peningkatan berbanding status quo"),
}
"""The certificate's checks as the table names them."""
SERVICE_CHECK = Phrase("Service level: {label} ({scope})",
                       "Tahap perkhidmatan: {label} ({scope})")
FAILED_NAMES: Mapping[str, Phrase] = {
    "probability_of_correct_selection": Phrase(
        "the probability that the best plan was chosen (the procedure reached its limit of "
        "replications before it could tell the finalists apart)",
        "kebarangkalian pelan terbaik dipilih (prosedur mencapai had replikasinya sebelum "
        "dapat membezakan finalis)"),
    "indifference_zone": Phrase("the indifference zone", "zon ketidakbezaan"),
    "best_neighbour_improvement_bound": Phrase(
        "the bound on what one change to the plan could add (it may add more than the "
        "indifference zone)",
        "had tambahan daripada satu perubahan pada pelan (tambahannya mungkin melebihi zon "
        "ketidakbezaan)"),
    "surrogate_gap": Phrase("the simplified model's promise (off by more than {threshold})",
                            "janji model ringkas (tersasar melebihi {threshold})"),
    "worst_regret": Phrase(
        "the worst regret (another finalist does better in some case by more than "
        "{threshold} of this plan's gain)",
        "kekesalan terburuk (finalis lain lebih baik dalam sesuatu kes melebihi {threshold} "
        "daripada peningkatan pelan ini)"),
}
"""The checks as the sentence naming the failed ones names them."""
FAILED_SERVICE = Phrase("the service level on {label} ({scope})",
                        "tahap perkhidmatan bagi {label} ({scope})")
NOT_CERTIFIED = Phrase(
    "The plan is not certified: it failed {checks}. A failed check limits what may be "
    "claimed for the plan, not the figures in this paper, which are the simulation's: it is "
    "the best plan the selection found, not a proven best one.",
    "Pelan ini tidak diperakui: ia gagal dalam {checks}. Semakan yang gagal mengehadkan apa "
    "yang boleh didakwa tentang pelan ini, bukan angka dalam kertas ini, yang merupakan "
    "hasil simulasi: ia pelan terbaik yang ditemui oleh pemilihan, bukan pelan yang terbukti "
    "terbaik.")
CERTIFIED = Phrase("The plan passed every check of its certificate.",
                   "Pelan ini lulus setiap semakan dalam sijilnya.")
CERTIFICATE_NOTE = Phrase(
    "A service level passes only where the whole paired 95 % interval of the plan minus its "
    "floor lies at or above zero: a mean above the floor is not enough.",
    "Sesuatu tahap perkhidmatan lulus hanya jika keseluruhan selang berpasangan 95 % bagi "
    "pelan tolak tahap minimumnya berada pada atau melebihi sifar: min yang melebihi tahap "
    "minimum tidak mencukupi.")
NOT_REACHED = Phrase("not guaranteed (replication limit reached first)",
                     "tidak terjamin (had replikasi dicapai dahulu)")
NO_NEIGHBOUR = Phrase("no change keeps the constraints", "tiada perubahan yang mematuhi "
                      "kekangan")
NOT_MEASURED = Phrase("not measured", "tidak diukur")
NO_GAIN = Phrase("none to share: no gain over today in its worst case",
                 "tiada: tiada peningkatan berbanding status quo dalam kes terburuknya")
NO_GAIN_THERE = Phrase("no gain over today there", "tiada peningkatan dalam kes itu")
AT_LEAST = Phrase("at least {value}", "sekurang-kurangnya {value}")
AT_MOST = Phrase("at most {value}", "paling banyak {value}")
WITHIN = Phrase("within ±{value}", "dalam lingkungan ±{value}")
OF_BEST_MEAN = Phrase("{share} of the best first-stage mean",
                      "{share} daripada min terbaik peringkat pertama")
WITH_UNIT = Phrase("{value} {unit}", "{value} {unit}")

# ---------------------------------------------------------------------------------------
# Regret across explanations and demand
# ---------------------------------------------------------------------------------------

REGRET_TEXT = Phrase(
    "The {n} finalists were simulated again under each of the {hypotheses} explanations that "
    "fit the unit's history and at low, central and high growth of tip-offs, {reps} "
    "replications each. A finalist's regret in a case is how far it falls short of the best "
    "finalist there; its share of the finalist's gain counts only the part beyond noise (the "
    "one-sided 95 % lower bound of the paired shortfall), since the best of a case is "
    "picked on the same few replications. The table gives each finalist's worst.",
    "{n} finalis disimulasikan semula di bawah setiap {hypotheses} penjelasan yang sepadan "
    "dengan sejarah unit dan pada pertumbuhan tip-off yang rendah, sederhana dan tinggi, "
    "{reps} replikasi setiap satu. Kekesalan finalis dalam sesuatu kes ialah kekurangannya "
    "berbanding finalis terbaik dalam kes itu; bahagiannya daripada peningkatan finalis "
    "hanya mengira bahagian yang melebihi hingar (had bawah satu hala 95 % bagi kekurangan "
    "berpasangan), kerana yang terbaik dipilih pada replikasi yang sama. Jadual memberikan "
    "kekesalan terburuk setiap finalis.")
REGRET_CAPTION = Phrase("Each finalist's worst regret across explanations and demand",
                        "Kekesalan terburuk setiap finalis merentas penjelasan dan permintaan")
FINALIST = Phrase("Finalist", "Finalis")
WORST_CASE = Phrase("Worst case", "Kes terburuk")
SHORT_OF_BEST = Phrase("Short of the best there ({unit})",
                       "Kekurangan berbanding terbaik ({unit})")
SHARE_OF_GAIN = Phrase("Beyond noise, as a share of its gain over today",
                       "Melebihi hingar, sebagai bahagian daripada peningkatannya")
CASE = Phrase("{hypothesis}, {demand} demand", "{hypothesis}, permintaan {demand}")
NEVER_BEHIND = Phrase("none: the best or level in every case",
                      "tiada: terbaik atau setara dalam setiap kes")
DEMANDS: Mapping[str, Phrase] = {"low": Phrase("low", "rendah"),
                                 "central": Phrase("central", "sederhana"),
                                 "high": Phrase("high", "tinggi")}
WORST_OF_PLAN = Phrase(
    "This plan's worst case is the explanation '{hypothesis}'{description} with {demand} "
    "demand: there {leader} gives {shortfall} more {unit}, {share}.",
    "Kes terburuk pelan ini ialah penjelasan '{hypothesis}'{description} dengan permintaan "
    "{demand}: dalam kes itu {leader} memberikan {shortfall} {unit} lebih, {share}.")
SHARE_OF_PLAN_GAIN = Phrase("beyond noise {share} of this plan's gain over today's "
                            "allocation there",
                            "melebihi hingar iaitu {share} daripada peningkatan pelan ini "
                            "berbanding status quo dalam kes itu")
NO_PLAN_GAIN = Phrase("where this plan gains nothing over today's allocation",
                      "sedangkan pelan ini tidak meningkat berbanding status quo")
NEVER_BEHIND_PLAN = Phrase(
    "No finalist does better than this plan under any explanation or demand level: the "
    "choice does not depend on which explanation holds.",
    "Tiada finalis yang lebih baik daripada pelan ini di bawah mana-mana penjelasan atau "
    "tahap permintaan: pilihan ini tidak bergantung pada penjelasan yang benar.")
WITHIN_THRESHOLD = Phrase(
    "That is within the threshold of {threshold}: the choice does not depend on which "
    "explanation holds.",
    "Ini dalam lingkungan ambang {threshold}: pilihan ini tidak bergantung pada penjelasan "
    "yang benar.")
SAME_MOST_ROBUST = Phrase(
    "That is beyond the threshold of {threshold}, but no other finalist has a smaller worst "
    "regret: the choice depends on which explanation holds, and this plan is still the "
    "safest of the finalists.",
    "Ini melebihi ambang {threshold}, tetapi tiada finalis lain yang mempunyai kekesalan "
    "terburuk yang lebih kecil: pilihan ini bergantung pada penjelasan yang benar, dan pelan "
    "ini masih yang paling selamat antara finalis.")
MOST_ROBUST_TEXT = Phrase(
    "That is beyond the threshold of {threshold}. The finalist with the smallest worst "
    "regret is another plan, {name} (worst regret {worst}); it is shown beside this plan "
    "below. Which to prefer depends on which explanation the planner believes: this plan "
    "does best under the scenario as run, the other loses least if the worst case above "
    "holds.",
    "Ini melebihi ambang {threshold}. Finalis dengan kekesalan terburuk paling kecil ialah "
    "pelan lain, {name} (kekesalan terburuk {worst}); ia ditunjukkan di sebelah pelan ini di "
    "bawah. Pilihan bergantung pada penjelasan yang dipercayai oleh perancang: pelan ini "
    "terbaik di bawah senario seperti yang dijalankan, manakala pelan yang satu lagi paling "
    "kurang rugi jika kes terburuk di atas berlaku.")
DEPENDS_ON_RECORDED = Phrase("As the run records it: {sentence}.",
                             "Seperti yang direkodkan oleh larian (dalam bahasa Inggeris): "
                             "{sentence}.")
ROBUST_CAPTION = Phrase("This plan beside the finalist with the smallest worst regret",
                        "Pelan ini berbanding finalis dengan kekesalan terburuk paling kecil")
MOST_ROBUST = Phrase("Most robust finalist", "Finalis paling teguh")
POSTS_IN_ALL = Phrase("Posts in all", "Jumlah jawatan")
LINE_ROW = Phrase("HQ internet line", "Talian internet Ibu Pejabat")
TOOLS_ROW = Phrase("Tools", "Peralatan dan perisian")
NONE = Phrase("none", "tiada")
UNCHANGED_LINE = Phrase("today's", "sedia ada")
MBPS = Phrase("{mbps} Mbps", "{mbps} Mbps")
HYPOTHESIS_PARTS: Mapping[str, Phrase] = {
    "line": Phrase("downloads held down by the HQ line",
                   "muat turun dihadkan oleh talian Ibu Pejabat"),
    "logistics": Phrase("downloads held down by download slots and senders' upload rates",
                        "muat turun dihadkan oleh slot muat turun dan kadar muat naik "
                        "pengirim"),
    "staff": Phrase("downloads held down by the download team's triage time",
                    "muat turun dihadkan oleh masa saringan pasukan muat turun"),
    "capacity": Phrase("raids by the states' officer and casework hours",
                       "serbuan oleh jam pegawai dan kerja kes negeri"),
    "conversion": Phrase("raids by how few tip-offs become workable cases",
                         "serbuan oleh betapa sedikit tip-off menjadi kes yang boleh "
                         "diusahakan"),
}
"""The parts of a shipped hypothesis's name (``line-capacity``) in words."""
CANDIDATE_NAMES: Mapping[str, Phrase] = {
    "surrogate_best": Phrase("the model's best plan", "pelan terbaik model"),
    "even_split": Phrase("an even split", "agihan sama rata"),
    "cheapest_within_zone": Phrase("the model's cheapest plan within the zone",
                                   "pelan termurah model dalam zon"),
}
ONE_CHANGE_FROM = Phrase("a plan one change from {base}",
                         "pelan yang berbeza satu perubahan daripada {base}")
SELECTION_BEST = Phrase("the selection's best, {plain}", "pilihan terbaik pemilihan, {plain}")
OTHER_CHOSEN = Phrase(
    "The procedure's own best was {best}. This plan falls short of it by less than the "
    "indifference zone, shown on further paired replications with 95 % confidence, so the "
    "two cannot be told apart; this plan was chosen because {why}.",
    "Pilihan terbaik prosedur itu sendiri ialah {best}. Pelan ini ketinggalan daripadanya "
    "kurang daripada zon ketidakbezaan, seperti yang ditunjukkan oleh replikasi berpasangan "
    "tambahan dengan keyakinan 95 %, jadi kedua-duanya tidak dapat dibezakan; pelan ini "
    "dipilih kerana {why}.")
WHY_CHEAPER = Phrase("it costs less: no money is asked for a difference too small to tell "
                     "apart",
                     "kosnya lebih rendah: tiada wang diminta untuk perbezaan yang terlalu kecil "
                     "untuk dibezakan")
WHY_ROBUST = Phrase("it holds up better under the other explanations of the unit's history "
                    "(the regret table below)",
                    "ia lebih teguh di bawah penjelasan lain tentang sejarah unit (jadual "
                    "kekesalan di bawah)")
SET_ASIDE_TEXT = Phrase(
    "{name} costs less again and was shown equal too, but was set aside: its worst regret "
    "({case}) is {share} of its gain over today (the regret table below).",
    "{name} lebih murah lagi dan juga ditunjukkan setara, tetapi diketepikan: kekesalan "
    "terburuknya ({case}) ialah {share} daripada keuntungannya berbanding hari ini (jadual "
    "kekesalan di bawah).")
NEXT_BEST = Phrase("the model's next best plan {n}", "pelan terbaik seterusnya model {n}")
PILOT = Phrase("pilot plan {n}", "pelan rintis {n}")
RUNG = Phrase("the model's cheapest plan within the zone with {times} times today's {metric}",
              "pelan termurah model dalam zon dengan {times} kali {metric} hari ini")

# ---------------------------------------------------------------------------------------
# Reverse mode: a target of actioned tip-offs
# ---------------------------------------------------------------------------------------

TARGET_TEXT = Phrase(
    "The run was asked for the cheapest plan whose actioned tip-offs reach a target, each "
    "plan checked on {reps} fresh replications. As the run records it: {sentence}.",
    "Larian ini diminta mencari pelan termurah yang tip-off diambil tindakannya mencapai "
    "sasaran, setiap pelan disemak dengan {reps} replikasi baharu. Seperti yang direkodkan "
    "oleh larian (dalam bahasa Inggeris): {sentence}.")
TARGET_CAPTION = Phrase("Each plan checked against the target",
                        "Setiap pelan yang disemak berbanding sasaran")
PLAN_TRIED = Phrase("Plan", "Pelan")
ACTIONED_SIMULATED = Phrase("Actioned tip-offs simulated [95 % interval]",
                            "Tip-off diambil tindakan disimulasikan [selang 95 %]")
PROMISED = Phrase("Model's promise", "Janji model")
TARGET_RESULTS: Mapping[str, Phrase] = {
    "reaches the target": Phrase("reaches the target", "mencapai sasaran"),
    "falls short": Phrase("falls short", "tidak mencapai sasaran"),
}
SHEET_CERTIFICATE = Phrase("Certificate", "Sijil")
VALUE_NUMBER = Phrase("Value as a number", "Nilai sebagai nombor")
