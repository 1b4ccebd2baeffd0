"""A briefing's load: twenty sessions at once on the page, each moving a lever, all answered.

The page is started over two tiny runs and a sweep of the line's tiers (the cache); twenty
threads then act as twenty leaders: each opens the page, asks for the options side by side,
moves the line to a tier (answered from the sweep at once), and reads the new option's
figures, through the same callback requests the browser sends.  Loopback only, twenty
sessions, at most three minutes.  The slowest answer and every error are printed; no error
is allowed (the times are reported, not asserted).  A request that fails on the server
gets one plain line on the page, never a traceback.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.functional.test_app_browser import cli, serving

pytest.importorskip("dash", reason='the page\'s packages: pip install -e ".[test]"')

SESSIONS = 20
DEADLINE_S = 180.0
BASE = ("--set", "end_date=2024-01-31", "--replications", "2", "--seed", "2024")
TIERS = ("100", "500", "1000", "10000")


def post(url: str, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """A callback request: seconds taken and the answer (raises on an HTTP error)."""
    request = urllib.request.Request(f"{url}_dash-update-component",
                                     data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as answer:
        text = answer.read().decode()
    assert "Traceback" not in text
    return time.perf_counter() - started, json.loads(text)


class Callbacks:
    """The page's callbacks as ``/_dash-dependencies`` lists them, turned into requests."""

    def __init__(self, url: str, paths: list[str]) -> None:
        with urllib.request.urlopen(f"{url}_dash-dependencies", timeout=60) as answer:
            self.deps = json.loads(answer.read().decode())
        self.paths = paths

    def _ids(self, text: str) -> list[Any]:
        if not text.startswith("{"):
            return [text]
        kind = json.loads(text)["type"]
        return [{"path": path, "type": kind} for path in self.paths]

    def _items(self, text: str, prop: str, values: dict[str, Any] | None) -> Any:
        items = [{"id": i, "property": prop} | (
            {} if values is None else {"value": values.get(
                f"{i['path'] if isinstance(i, dict) else i}.{prop}")})
            for i in self._ids(text)]
        return items if text.startswith("{") else items[0]

    def body(self, trigger: str, values: dict[str, Any]) -> dict[str, Any]:
        """The request of the callback ``trigger`` (``id.property``) fires, with ``values``."""
        dep = next(d for d in self.deps
                   if any(f"{i['id']}.{i['property']}" == trigger for i in d["inputs"]))
        parts = dep["output"].strip(".").split("...")
        outputs = [self._items(*part.rsplit(".", 1), None) for part in parts]
        return {"output": dep["output"], "outputs": outputs if len(parts) > 1 else outputs[0],
                "inputs": [self._items(i["id"], i["property"], values) for i in dep["inputs"]],
                "state": [self._items(s["id"], s["property"], values) for s in dep["state"]],
                "changedPropIds": [trigger]}


def session(url: str, callbacks: Callbacks, levers: dict[str, str], tier: str,
            times: list[tuple[float, str]], errors: list[str]) -> None:
    """One leader: open the page, see the options, move the line, see the new option."""
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            assert answer.status == 200 and b"react-entry-point" in answer.read()
        shown = ["today", "rule"]
        state = {"shown.value": shown, "reference.value": "today", "scope.value": "national",
                 "state-metric.value": "raids", "start-from.value": "today",
                 "replications.value": "2", "vacant.value": ["vacant"], "my-jobs.data": [],
                 "ask.n_clicks": 1}
        seconds, _ = post(url, callbacks.body("shown.value", state))
        times.append((seconds, "options side by side"))
        moved = {f"{path}.value": text for path, text in levers.items()}
        moved |= {f"{path}.id": {"path": path, "type": "lever"} for path in levers}
        moved["download.line_mbps.value"] = tier
        seconds, answer = post(url, callbacks.body("ask.n_clicks", {**state, **moved}))
        times.append((seconds, f"lever: line {tier} Mbps"))
        message = answer["response"]["ask-message"]
        assert "Answered from the cache" in str(message), message
        new = next(iter(answer["response"]["shown"].values()))
        seconds, figures = post(url, callbacks.body("shown.value", {**state,
                                                                    "shown.value": new}))
        times.append((seconds, "the new option's figures"))
        assert f'"data-option": "today \\u00b7 line {tier} Mbps"' in json.dumps(figures)
    except Exception as error:  # every failure is counted and printed, then asserted
        errors.append(f"{type(error).__name__}: {error}")


def test_twenty_sessions_moving_levers_get_their_answers(tmp_path: Path) -> None:
    """Twenty leaders at once against cached answers: none fails; the slowest is printed."""
    from app.levers import lever_paths, lever_values

    for name, scenario in (("today", "status_quo"), ("rule", "three_to_four_per_state")):
        done = cli("run", f"scenarios/{scenario}.yaml", *BASE, "--quiet",
                   "--out", str(tmp_path / name))
        assert done.returncode == 0, done.stderr
    done = cli("sweep", "scenarios/status_quo.yaml", *BASE, "--vary",
               f"download.line_mbps={','.join(TIERS)}", "--quiet", "--out",
               str(tmp_path / "lines"))
    assert done.returncode == 0, done.stderr
    recorded = json.loads((tmp_path / "today" / "run.json").read_text())["scenario"]
    levers = lever_values(recorded)
    with serving([tmp_path / "today", tmp_path / "rule", tmp_path / "lines"],
                 tmp_path / "cache") as url:
        callbacks = Callbacks(url, lever_paths())
        times: list[tuple[float, str]] = []
        errors: list[str] = []
        threads = [threading.Thread(target=session, args=(url, callbacks, levers,
                                                          TIERS[n % len(TIERS)], times, errors))
                   for n in range(SESSIONS)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(1.0, DEADLINE_S - (time.monotonic() - started)))
        elapsed = time.monotonic() - started
        hung = sum(thread.is_alive() for thread in threads)
        # a request no page sends (the options as a number): one plain line, no traceback
        _, broken = post(url, callbacks.body("shown.value", {"shown.value": 5}))
    assert broken["response"] == {} and "nothing was changed" in str(broken["sideUpdate"])
    slowest = max(times, default=(float("nan"), "none"))
    print(f"\n{SESSIONS} sessions in {elapsed:.1f} s: {len(times)} answers, slowest "
          f"{slowest[0]:.2f} s ({slowest[1]}), median "
          f"{statistics.median(t for t, _ in times) if times else float('nan'):.2f} s; "
          f"errors: {errors or 'none'}; unfinished sessions: {hung}")
    assert not errors and not hung and len(times) == 3 * SESSIONS
