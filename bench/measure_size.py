"""Measure what a replication costs, to set the constants of ``model/runs/sizing.py``.

    python bench/measure_size.py

Runs one replication of ``status_quo`` per setting below, each in a fresh
process, and prints its tip-offs, the tip-offs that went past selection, the
peak resident memory above the process's own (after imports and loading) and
the wall time, next to what ``model.runs.sizing`` estimates.  Takes about three
minutes on two cores.  Re-run it after a change that makes a replication
heavier or lighter, and update the constants if the ratios drift far from 1.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "status_quo.yaml"
FLOWING = ["download.bandwidth_mbps=100", "selection.triage_minutes=2",
           "download.concurrent_downloads_count=20", "download.peer_upload_mbps=10"]
SETTINGS: dict[str, list[str]] = {
    "status quo, 3 years": [],
    "one year, from empty": ["end_date=2024-12-31", "initial_state=null"],
    "one year, everything selected": ["end_date=2024-12-31", "initial_state=null", *FLOWING],
    "one year, 300,000 posts": ["end_date=2024-12-31", "initial_state=null",
                                "states.SGR.officers.posts=300000"],
    "3 years at 1 million a year": ["initial_state=null",
                                    "arrivals.referrals_per_year.2023=1000000"],
    "3 years at 3 million a year": ["initial_state=null",
                                    "arrivals.referrals_per_year.2023=3000000"],
}


def measure(overrides: list[str]) -> dict[str, float]:
    """One replication in this process: counts, extra peak memory and wall time."""
    sys.path.insert(0, str(ROOT))
    from model.engine.outcomes import replication_metrics
    from model.engine.simulation import simulate
    from model.loading import load_scenario
    from model.metrics import NATIONAL, WHOLE_HORIZON
    from model.runs.sizing import replication_size

    scenario = load_scenario(SCENARIO, overrides)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.perf_counter()
    run = simulate(scenario, 0)
    metrics = replication_metrics(run)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    national = metrics[(metrics.year == WHOLE_HORIZON) & (metrics.scope == NATIONAL)]
    values = national.set_index("metric").value
    size = replication_size(scenario)
    return {
        "tipoffs": len(run.tipoffs),
        "selected": float(values["selected_for_download"]),
        "process_mb": before / 1e6,
        "extra_mb": (peak - before) / 1e6,
        "estimated_mb": size.bytes / 1e6,
        "seconds": seconds,
        "estimated_seconds": size.seconds,
    }


def main() -> None:
    """Measure each setting in a fresh process and print a table."""
    if len(sys.argv) > 1:
        print(json.dumps(measure(json.loads(sys.argv[1]))))
        return
    print(f"{'setting':<32}{'tip-offs':>11}{'selected':>10}{'process':>9}{'extra':>8}"
          f"{'est.':>8}{'seconds':>9}{'est.':>8}")
    for name, overrides in SETTINGS.items():
        done = subprocess.run([sys.executable, __file__, json.dumps(overrides)],
                              capture_output=True, text=True, check=True)
        row = json.loads(done.stdout)
        print(f"{name:<32}{row['tipoffs']:>11,}{row['selected']:>10,.0f}"
              f"{row['process_mb']:>7,.0f}MB{row['extra_mb']:>6,.0f}MB"
              f"{row['estimated_mb']:>6,.0f}MB{row['seconds']:>9.1f}"
              f"{row['estimated_seconds']:>8.1f}")


if __name__ == "__main__":
    main()
