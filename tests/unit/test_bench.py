"""The benchmark's functions run and return numbers on tiny configurations.

No timing limits here: timings are the benchmark's business (``python -m bench``),
and a test that fails when the machine is busy would only teach people to ignore it.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from bench.__main__ import show
from bench.figures import (
    bare_simpy_seconds,
    ciw_ratio,
    optimise_seconds,
    parallel_speedup,
    peak_rss_mb,
    scaled_volume,
    scaling_exponent,
    sim_ratio_vs_bare_simpy,
)

TINY = ("end_date=2024-01-10", "initial_state=null")


def _positive(value: float) -> bool:
    return math.isfinite(value) and value > 0


def test_bare_simpy_times_a_process_per_tipoff() -> None:
    """The reference program runs and takes some time."""
    assert _positive(bare_simpy_seconds(tipoffs=1_000, horizon_days=10.0))


def test_sim_ratio_compares_the_model_with_bare_simpy() -> None:
    """Both sides are timed and the ratio is theirs."""
    ratio = sim_ratio_vs_bare_simpy(repeats=1, overrides=TINY)
    assert _positive(ratio.ours_s) and _positive(ratio.reference_s)
    assert ratio.value == pytest.approx(ratio.ours_s / ratio.reference_s)


def test_scaled_volume_multiplies_every_volume_and_its_range(status_quo) -> None:
    """Referrals of every year and local reports scale, ranges with them (still valid)."""
    doubled = scaled_volume(status_quo, 2.0)
    for year, volume in status_quo.arrivals.referrals_per_year.items():
        scaled = doubled.arrivals.referrals_per_year[year]
        assert scaled.value == pytest.approx(2.0 * volume.value)
        if volume.high is not None:
            assert scaled.high == pytest.approx(2.0 * volume.high)
    local = status_quo.arrivals.local_reports_per_year
    assert doubled.arrivals.local_reports_per_year.value == pytest.approx(2.0 * local.value)
    assert doubled.model_validate(doubled.model_dump()) == doubled


def test_scaling_exponent_fits_a_slope() -> None:
    """More volume means more tip-offs counted, and the slope is a number."""
    scaling = scaling_exponent(repeats=1, factors=(1.0, 2.0), overrides=TINY)
    assert scaling.tipoffs[1] > scaling.tipoffs[0]
    assert math.isfinite(scaling.exponent)


def test_parallel_speedup_times_both_ways() -> None:
    """One worker and two both finish; the speed-up is their ratio."""
    speedup = parallel_speedup(replications=2, overrides=TINY, workers=2)
    assert _positive(speedup.value)


def test_peak_rss_is_read_from_a_fresh_process() -> None:
    """A fresh Python with the model loaded holds tens to hundreds of MB."""
    assert 20.0 < peak_rss_mb(TINY) < 4096.0


def test_optimise_seconds_says_why_when_there_is_no_scenario(tmp_path: Path) -> None:
    """Without the optimisation scenario the figure is a reason, not a number."""
    assert optimise_seconds(1.0, tmp_path / "missing.yaml") == "unavailable (no optimiser yet)"


def test_ciw_ratio_is_a_number_or_unavailable() -> None:
    """With Ciw installed, a positive ratio; without it, None (printed as unavailable)."""
    ratio = ciw_ratio(repeats=1)
    if importlib.util.find_spec("ciw") is None:
        assert ratio is None
    else:
        assert ratio is not None and _positive(ratio.value)


def test_show_prints_one_parsable_line_per_figure(capsys: pytest.CaptureFixture[str]) -> None:
    """``name=value`` on standard output; details on standard error only."""
    show("sim_ratio_vs_bare_simpy", "0.250", "model 1 s, bare 4 s")
    out, err = capsys.readouterr()
    assert out == "sim_ratio_vs_bare_simpy=0.250\n"
    assert "model 1 s" in err


def test_the_pages_memory_is_read_after_mixed_requests() -> None:
    """Eight requests of each kind in turn: pages and moves answered, large bodies refused."""
    pytest.importorskip("dash", reason='the page\'s packages: pip install -e ".[test]"')
    from bench.page import page_rss_mb_after

    memory = page_rss_mb_after(requests=8, sessions=2)
    assert _positive(memory.before_mb) and _positive(memory.after_mb)
    assert memory.answers["page"] == {"200": 2} and memory.answers["lever"] == {"200": 2}
    assert set(memory.answers["oversized"]) <= {"0", "413"}  # never read, never answered
