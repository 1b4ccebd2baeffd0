"""``python -m bench [--quick]``: print the benchmark's figures, one ``name=value`` a line.

Details (the times behind each ratio) go to standard error, so that standard
output stays one parsable line per figure.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.figures import (
    FIVE_YEARS,
    ciw_ratio,
    optimise_seconds,
    parallel_speedup,
    peak_rss_mb,
    scaling_exponent,
    sim_ratio_vs_bare_simpy,
)
from bench.page import page_rss_mb_after


@dataclass(frozen=True)
class Settings:
    """How much to repeat and how long to simulate."""

    repeats: int  # alternating runs behind each timed ratio (medians taken)
    parallel_end_date: str  # each replication must take over a second, or start-up dominates
    parallel_repeats: int
    budget_s: float | None  # the optimiser gets what is left of it (None: up to an hour)


# the optimisation runs at its shipped settings either way (its figures are about them); it
# took 46 and 54 minutes in two runs on two cores, so the quick budget leaves it 70 in all
QUICK = Settings(repeats=3, parallel_end_date="2025-12-31", parallel_repeats=1, budget_s=4200.0)
FULL = Settings(repeats=7, parallel_end_date="2026-12-31", parallel_repeats=2, budget_s=None)
PARALLEL_REPLICATIONS = 10
OPTIMISE_LIMIT_S = 3600.0


def main(argv: list[str] | None = None) -> int:
    """Measure and print every figure; exit status 0."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions and shorter runs; the optimisation at its shipped "
                             "settings, given up 70 minutes after the start")
    parser.add_argument("--keep-run", type=Path, default=None, metavar="DIR",
                        help="copy the optimisation's run folder to DIR (its plan, certificate "
                             "and regret table behind the times)")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    started = time.perf_counter()

    show("cores", os.cpu_count(), f"load average {_load()} at the start")
    ratio = sim_ratio_vs_bare_simpy(settings.repeats)
    show("sim_ratio_vs_bare_simpy", f"{ratio.value:.3f}",
         f"model {ratio.ours_s:.2f} s, bare SimPy {ratio.reference_s:.2f} s "
         f"(medians of {ratio.repeats})")
    scaling = scaling_exponent(settings.repeats)
    show("scaling_exponent", f"{scaling.exponent:.3f}",
         ", ".join(f"{n:,} tip-offs {s:.2f} s" for n, s in
                   zip(scaling.tipoffs, scaling.seconds, strict=True)) + " (medians)")
    speedup = parallel_speedup(PARALLEL_REPLICATIONS, [f"end_date={settings.parallel_end_date}"],
                               workers=2, repeats=settings.parallel_repeats)
    show("parallel_speedup_2_workers", f"{speedup.value:.2f}",
         f"{PARALLEL_REPLICATIONS} replications to {settings.parallel_end_date}: one worker "
         f"{speedup.one_worker_s:.1f} s, two {speedup.workers_s:.1f} s")
    show("peak_rss_mb_5yr", f"{peak_rss_mb(FIVE_YEARS):.0f}", "whole process, fresh Python")
    page = page_rss_mb_after(100)
    show("page_rss_mb_after_100", f"{page.after_mb:.0f}",
         f"serve over two one-month runs, {page.before_mb:.0f} MB when ten sessions had "
         f"opened it; 100 requests in turn (answers by HTTP status: {page.answers})")
    ciw = ciw_ratio(settings.repeats)
    if ciw is None:
        show("ciw_ratio", "unavailable (pip install ciw)")
    else:
        show("ciw_ratio", f"{ciw.value:.3f}",
             f"per customer: ours {ciw.ours_s * 1e6:.1f} us, Ciw {ciw.reference_s * 1e6:.1f} us")
    # last, so that under --quick it gets whatever is left of the budget
    limit = OPTIMISE_LIMIT_S if settings.budget_s is None else max(
        30.0, settings.budget_s - (time.perf_counter() - started))
    optimised = optimise_seconds(limit, keep=args.keep_run)
    if isinstance(optimised, str):
        for name in ("optimise_seconds", "certify_seconds", "regret_seconds"):
            show(name, optimised)
    else:
        show("optimise_seconds", f"{optimised.total_s:.1f}",
             "scenarios/optimise_rm13m.yaml at its shipped settings, under its own hypothesis")
        show("certify_seconds", f"{optimised.certify_s:.1f}",
             "pilots, candidates, selection, fresh verification and the neighbours' bound: "
             + optimised.where(os.cpu_count() or 1))
        show("regret_seconds", f"{optimised.regret_s:.1f}",
             "the finalists under every shipped hypothesis at low, central and high demand")
    print(f"# total {time.perf_counter() - started:.0f} s; load average {_load()} at the end "
          "(other work on the machine slows the timings and the parallel speed-up)",
          file=sys.stderr)
    return 0


def _load() -> str:
    return " ".join(f"{load:.1f}" for load in os.getloadavg())


def show(name: str, value: object, detail: str = "") -> None:
    """One figure on standard output, its detail on standard error, at once."""
    print(f"{name}={value}", flush=True)
    if detail:
        print(f"# {name}: {detail}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
