"""The page under abuse: limits, owners and Cancel, files from where they belong, strangers.

The server's behaviour is checked with plain HTTP requests, as a browser (or anyone else)
sends them: the page runs in this process over a tiny run folder (so a test can hold the
queue still with a run that waits), and each "session" is a cookie jar of its own.  The
token and the ``Host:`` check are checked on ``run_scenario.py serve`` itself.
"""

from __future__ import annotations

import base64
import http.client
import json
import multiprocessing
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("dash", reason='the page\'s packages: pip install -e ".[test]"')

from app.callbacks import Page, export_page, export_yaml  # noqa: E402
from app.catalogue import Catalogue, answer_key, option_scenario  # noqa: E402
from app.exports import Exports  # noqa: E402
from app.levers import lever_paths, lever_values  # noqa: E402
from app.limits import Access, Limits  # noqa: E402
from app.runner import Job, Runner, Settings  # noqa: E402
from app.server import make_server  # noqa: E402
from model.schema_base import STATE_CODES  # noqa: E402
from tests.functional.test_app_browser import cli, serving  # noqa: E402
from tests.functional.test_app_load import Callbacks  # noqa: E402

TINY = ("--set", "end_date=2024-01-31", "--replications", "2", "--seed", "2024")


@pytest.fixture(scope="module")
def today(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One month of status_quo, two replications, by the command line."""
    out = tmp_path_factory.mktemp("guard") / "today"
    done = cli("run", "scenarios/status_quo.yaml", *TINY, "--quiet", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


def page_over(folders: list[Path], cache: Path, limits: Limits | None = None) -> Page:
    catalogue = Catalogue(cache)
    catalogue.load(folders)
    limits = limits or Limits()
    return Page(catalogue, Runner(catalogue, Settings(workers=2), limits),
                Exports(cache / "exports", limits.export_bytes, catalogue.roots()))


@contextmanager
def served(page: Page) -> Iterator[str]:
    """The page on a free loopback port in this process; yields its address."""
    server = make_server(page, Access("127.0.0.1"), 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/"  # type: ignore[union-attr]
    finally:
        # closed from the server's own loop (a close from here races its select: EBADF)
        server.trigger.pull_trigger(  # type: ignore[union-attr]
            lambda: server.asyncore.close_all(server._map))  # type: ignore[union-attr]
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]
        _cancel_all(page)


def _cancel_all(page: Page) -> None:
    """Cancel every run, so that nothing is left to run after a test."""
    for job in page.runner.jobs():
        for owner in list(job.owners):
            page.runner.cancel(job.number, owner)


@pytest.fixture
def forkserver() -> Iterator[None]:
    """Runs start their processes as under ``serve``: from a clean forkserver.

    A fork from this process, which has the server's threads, could copy a lock one of
    them holds; ``serve`` avoids it the same way (``app.server``).
    """
    before = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("forkserver", force=True)
    try:
        yield
    finally:
        multiprocessing.set_start_method(before, force=True)


@contextmanager
def held_queue(page: Page) -> Iterator[Job]:
    """A run of another session that holds the queue's one worker until the block ends."""
    release = threading.Event()
    job = page.runner.submit("held", 1, lambda _: release.wait(timeout=120), "held", "other")
    while job.state != "running":
        time.sleep(0.05)
    try:
        yield job
    finally:
        _cancel_all(page)  # first, so that no run waiting starts when the hold ends
        release.set()


class Session:
    """One browser's session: a cookie jar, the page opened once, callbacks posted."""

    def __init__(self, url: str, callbacks: Callbacks) -> None:
        self.url = url
        self.callbacks = callbacks
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        with self.opener.open(url, timeout=60) as answer:
            assert answer.status == 200

    def send(self, body: dict[str, Any]) -> dict[str, Any]:
        """Post a callback request; its ``response`` (empty for no change)."""
        request = urllib.request.Request(f"{self.url}_dash-update-component",
                                         data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with self.opener.open(request, timeout=120) as answer:
            if answer.status == 204:
                return {}
            return dict(json.loads(answer.read().decode()).get("response", {}))

    def post(self, trigger: str, values: dict[str, Any]) -> dict[str, Any]:
        """Fire the callback of ``trigger`` (``id.property``) with ``values``."""
        return self.send(self.callbacks.body(trigger, values))

    def ask(self, levers: dict[str, str], replications: str = "2") -> dict[str, Any]:
        """Answer a lever move: the fields' errors, the replications' error, the message."""
        values = {f"{path}.value": text for path, text in levers.items()}
        values |= {f"{path}.id": {"path": path, "type": "lever"} for path in levers}
        values |= {"start-from.value": "today", "replications.value": replications,
                   "vacant.value": ["vacant"], "shown.value": ["today"], "ask.n_clicks": 1}
        return self.post("ask.n_clicks", values)

    def poll(self) -> dict[str, Any]:
        """The poll the page sends every second: the queue's view among its answers."""
        return self.post("tick.n_intervals", {"tick.n_intervals": 1, "seen.data": -1,
                                              "announced.data": [], "shown.value": ["today"]})

    def cancel(self, number: int) -> dict[str, Any]:
        """Click Cancel on the run ``number`` (as though its button were on this page)."""
        button = {"job": number, "type": "cancel"}
        dep = next(d for d in self.callbacks.deps if "cancel" in d["inputs"][0]["id"])
        return self.send({"output": dep["output"],
                          "outputs": {"id": "ask-message", "property": "children"},
                          "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
                          "state": [], "changedPropIds": [json.dumps(
                              button, separators=(",", ":")) + ".n_clicks"]})


def _message(response: dict[str, Any]) -> str:
    return str(response.get("ask-message", {}).get("children", ""))


def moves(today: Path, count: int) -> list[dict[str, str]]:
    """``count`` different lever moves from the run (one state's officers a time)."""
    values = lever_values(json.loads((today / "run.json").read_text())["scenario"])
    found = []
    for posts in (4, 5):
        for code in STATE_CODES:
            found.append({**values, f"states.{code}.officers.posts": str(posts)})
    assert len(found) >= count
    return found[:count]


def test_a_session_queues_three_runs_and_the_page_twenty(today: Path, tmp_path: Path) -> None:
    """The fourth run of one session and the 21st in all are refused beside Answer."""
    page = page_over([today], tmp_path / "cache")
    asked = iter(moves(today, 24))
    with served(page) as url, held_queue(page):
        callbacks = Callbacks(url, lever_paths())
        first = Session(url, callbacks)
        for place in (1, 2, 3):
            assert f"number {place} in the queue" in _message(first.ask(next(asked)))
        refused = _message(first.ask(next(asked)))
        assert refused.startswith("Not queued: you have 3 runs waiting or running"), refused
        # the held run, three of the first session's, and sixteen more: twenty in all
        for _ in range(6):
            other = Session(url, callbacks)
            for _ in range(3):
                message = _message(other.ask(next(asked)))
                if len(page.runner.jobs()) == 20:
                    break
            if len(page.runner.jobs()) == 20:
                break
        assert sum(job.state in ("queued", "running") for job in page.runner.jobs()) == 20
        last = _message(other.ask(next(asked)))
        assert last.startswith("Not queued: 20 runs are waiting or running on this page"), \
            (message, last)
        # a move already queued by another session joins it: no new run
        joined = _message(Session(url, callbacks).ask(moves(today, 1)[0]))
        assert "running in the background" in joined and len(page.runner.jobs()) == 20


def test_a_run_too_long_for_the_page_is_refused_beside_replications(
        today: Path, tmp_path: Path) -> None:
    """5,000 replications: the CLI's estimate (hours) against the page's five minutes."""
    page = page_over([today], tmp_path / "cache")
    with served(page) as url:
        session = Session(url, Callbacks(url, lever_paths()))
        answer = session.ask(moves(today, 1)[0], "5000")
    beside = str(answer["replications-error"]["children"])
    assert beside.startswith("--replications: this run would take about"), beside
    assert "more than the 5 minutes allowed" in beside
    assert "use fewer --replications (5,000 asked)" in beside
    assert "Nothing was run" in _message(answer) and not page.runner.jobs()


def _finish(job: Job) -> None:
    deadline = time.monotonic() + 300
    while job.state in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.1)


def test_cancel_stops_a_run_its_one_owner_leaves_and_not_one_another_awaits(
        today: Path, tmp_path: Path, forkserver: None) -> None:
    """Alone: the run stops midway, nothing kept.  Shared: it runs on for the other."""
    page = page_over([today], tmp_path / "cache")
    lone, shared = moves(today, 2)
    with served(page) as url:
        callbacks = Callbacks(url, lever_paths())
        first, second = Session(url, callbacks), Session(url, callbacks)
        first.ask(lone, "60")
        [job] = page.runner.jobs()
        while job.done == 0 and job.state in ("queued", "running"):
            time.sleep(0.02)
        assert _message(first.cancel(job.number)) == f"Cancelled: {job.title}."
        _finish(job)
        assert job.state == "cancelled" and job.done < job.total
        assert not [p for p in page.catalogue.cache.glob("*") if p.name != "exports"]
        first.ask(shared)
        second.ask(shared)
        both = page.runner.jobs()[-1]
        assert len(page.runner.jobs()) == 2 and len(both.owners) == 2
        left = _message(first.cancel(both.number))
        assert left.startswith("Cancelled for you"), left
        _finish(both)
        assert both.state == "done", both.message
        assert "Run finished" in str(second.poll()["ask-message"]["children"])
        assert "ask-message" not in first.poll()  # the first left: it is told nothing
        option = page.catalogue.get(both.option)
        assert page.catalogue.cached(answer_key(option_scenario(option), option.first))


def test_a_session_sees_and_cancels_only_its_own_runs(today: Path, tmp_path: Path) -> None:
    """Another session's run is neither listed, told, nor cancelled by a forged click."""
    page = page_over([today], tmp_path / "cache")
    with served(page) as url, held_queue(page):
        callbacks = Callbacks(url, lever_paths())
        owner, stranger = Session(url, callbacks), Session(url, callbacks)
        owner.ask(moves(today, 1)[0])
        job = page.runner.jobs()[-1]
        assert job.title in json.dumps(owner.poll()["queue"], ensure_ascii=False)
        seen = json.dumps(stranger.poll()["queue"], ensure_ascii=False)
        assert job.title not in seen and "2 runs of other sessions" in seen
        refused = _message(stranger.cancel(job.number))
        assert refused == "That run is not one of yours." and job.state == "queued"
    cookie = next(c for c in owner.jar if c.name == "micac_session")
    assert cookie.has_nonstandard_attr("HttpOnly") and len(cookie.value or "") >= 20


def test_files_leave_only_from_the_served_folders(today: Path, tmp_path: Path) -> None:
    """A proposal.pdf linking outside is refused; one inside is sent; paths are relative."""
    served_folder = tmp_path / "served" / "opt"
    shutil.copytree(today, served_folder)
    info = json.loads((served_folder / "run.json").read_text())
    info |= {"plan_scenario": info["scenario"], "plan": {"status": "optimal"}}
    (served_folder / "run.json").write_text(json.dumps(info))
    shutil.copyfile(served_folder / "summary.csv", served_folder / "plan.csv")
    secret = tmp_path / "elsewhere" / "secret.pdf"
    secret.parent.mkdir()
    secret.write_bytes(b"%PDF-1.4 not for the page")
    (served_folder / "proposal.pdf").symlink_to(secret)
    page = page_over([served_folder, today], tmp_path / "cache")
    with served(page) as url:
        session = Session(url, Callbacks(url, lever_paths()))
        asked = session.post("export-proposal.n_clicks", {"export-proposal.n_clicks": 1,
                                                          "shown.value": ["opt: optimised"]})
        assert "download-proposal" not in asked
        assert "leads outside the folders this page serves" in str(asked["export-message"])
        (served_folder / "proposal.pdf").unlink()
        (served_folder / "proposal.pdf").write_bytes(b"%PDF-1.4 the plan")
        sent = session.post("export-proposal.n_clicks", {"export-proposal.n_clicks": 1,
                                                         "shown.value": ["opt: optimised"]})
    content = sent["download-proposal"]["data"]["content"]
    assert base64.b64decode(content) == b"%PDF-1.4 the plan"
    assert sent["export-message"]["children"] == "opt/proposal.pdf"
    text = export_yaml(page, "today")[0]["content"]
    assert "# from today\n" in text and str(tmp_path) not in text
    message = export_page(page, ["opt: optimised", "today"], "today")[1]
    assert message.startswith("Comparison page: cache/exports/comparison-"), message


def test_an_export_is_written_once_and_the_cache_of_exports_keeps_its_size(
        today: Path, tmp_path: Path) -> None:
    """The same comparison twice: one folder; past the cap, the least recently used goes."""
    other = tmp_path / "other"
    shutil.copytree(today, other)
    page = page_over([today, other], tmp_path / "cache", Limits(export_bytes=1))
    shown = ["today", "other"]
    first = page.exports.comparison([page.catalogue.get(k) for k in shown],
                                    page.catalogue.get("today"))
    written = first.stat().st_mtime_ns
    again = page.exports.comparison([page.catalogue.get(k) for k in shown],
                                    page.catalogue.get("today"))
    assert again == first and first.stat().st_mtime_ns == written
    flipped = page.exports.comparison([page.catalogue.get(k) for k in shown],
                                      page.catalogue.get("other"))
    assert flipped != first and flipped.is_file() and not first.exists()
    assert [p.name for p in page.exports.folder.iterdir()] == [flipped.parent.name]
    with page.exports._lock:  # another export being written: refused at once, not waited for
        refused = export_page(page, shown, "today")
    assert refused[1] == "Another comparison page is being written; ask again in a moment."


def _get(port: int, path: str, host: str = "127.0.0.1", cookie: str = "",
         body: bytes | None = None, proxied: bool = False) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": f"{host}:{port}", **({"Cookie": cookie} if cookie else {}),
               **({"X-Forwarded-Proto": "https"} if proxied else {})}
    if body is None:
        connection.request("GET", path, headers=headers)
    else:
        connection.putrequest("POST", path, skip_host=True)
        for name, value in {**headers, "Content-Type": "application/json",
                            "Content-Length": str(len(body))}.items():
            connection.putheader(name, value)
        connection.endheaders()
        try:
            connection.send(body)
        except (BrokenPipeError, ConnectionResetError):  # refused before it was all read
            pass
    answer = connection.getresponse()
    answer.read()
    return answer


def test_beyond_loopback_the_page_needs_its_token_and_its_names(
        today: Path, tmp_path: Path) -> None:
    """--host 0.0.0.0: 401 without the token, 200 with it; a stranger's Host: is refused."""
    with serving([today], tmp_path / "cache", "--host", "0.0.0.0",
                 "--allowed-host", "planner.micac.local") as url:
        assert "?token=" in url
        port = int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        token = url.split("?token=", 1)[1]
        assert _get(port, "/").status == 401
        assert _get(port, "/_dash-layout").status == 401
        assert _get(port, "/?token=wrong-token-of-some-length").status == 401
        opened = _get(port, f"/?token={token}")
        assert opened.status == 200
        assert opened.getheader("X-Frame-Options") == "DENY"
        assert "frame-ancestors 'none'" in (opened.getheader("Content-Security-Policy") or "")
        cookies = "; ".join(c.split(";", 1)[0] for c in
                            (opened.msg.get_all("Set-Cookie") or []))
        assert "micac_token=" in cookies and "micac_session=" in cookies
        assert _get(port, "/_dash-layout", cookie=cookies).status == 200
        assert _get(port, "/_dash-layout", "planner.micac.local", cookies).status == 200
        assert _get(port, f"/?token={token}", host="evil.example").status == 403
        proxied = _get(port, f"/?token={token}", proxied=True).msg.get_all("Set-Cookie")
        assert proxied and all("Secure" in cookie for cookie in proxied)
        large = _get(port, "/_dash-update-component", cookie=cookies, body=b"[" * 2_000_000)
        assert large.status == 413
