"""The page's memory under a hundred mixed requests: ``page_rss_mb_after_100``.

``run_scenario.py serve`` runs as a subprocess on a free loopback port over two one-month
runs; ten sessions (each a cookie jar) then send a hundred requests in turn: page loads,
lever moves (each a new run), comparison-page exports and oversized bodies (4 MB).  The
figure is the server process's resident memory afterwards (``VmRSS``), its runs' worker
processes apart.  Nothing here imports the page: the requests are built from what the
server itself lists (``/_dash-layout``, ``/_dash-dependencies``), so the same function
measures any checkout (``root``), before a change and after it.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ONE_MONTH = ("--set", "end_date=2024-01-31", "--replications", "2", "--seed", "2024")
KINDS = ("page", "lever", "export", "oversized")
OVERSIZED_BYTES = 4_000_000


@dataclass
class PageMemory:
    """The server's resident memory before and after the requests, and their answers."""

    before_mb: float
    after_mb: float
    answers: dict[str, dict[str, int]] = field(default_factory=dict)


def rss_mb(pid: int) -> float:
    """A process's resident memory in MB (``VmRSS`` of ``/proc/PID/status``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _ids(node: Any, kind: str) -> Iterator[dict[str, Any]]:
    """Every dict id of type ``kind`` in a layout (the lever fields)."""
    if isinstance(node, dict):
        found = node.get("props", {}).get("id") if "props" in node else None
        if isinstance(found, dict) and found.get("type") == kind:
            yield found
        for value in node.values():
            yield from _ids(value, kind)
    elif isinstance(node, list):
        for value in node:
            yield from _ids(value, kind)


class Client:
    """One session: a cookie jar and the requests of the page's callbacks."""

    def __init__(self, url: str, deps: list[dict[str, Any]], levers: list[dict[str, Any]]
                 ) -> None:
        self.url, self.deps, self.levers = url, deps, levers
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()))

    def status(self, path: str = "", body: bytes | None = None) -> int:
        """The HTTP status of a GET (or a POST of ``body``)."""
        request = urllib.request.Request(self.url + path, data=body,
                                          headers={"Content-Type": "application/json"})
        try:
            with self.opener.open(request, timeout=300) as answer:
                answer.read()
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except (ConnectionError, urllib.error.URLError):
            return 0  # the server closed the connection on an oversized body

    def _item(self, text: str, prop: str, values: dict[str, Any]) -> Any:
        if text.startswith("{"):
            kind = json.loads(text)["type"]
            ids = [{"path": i["path"], "type": kind} for i in self.levers]
            return [{"id": i, "property": prop,
                     "value": i if prop == "id" else values.get(f"{i['path']}.{prop}")}
                    for i in ids]
        return {"id": text, "property": prop, "value": values.get(f"{text}.{prop}")}

    def body(self, trigger: str, values: dict[str, Any]) -> bytes:
        """The request the callback fired by ``trigger`` sends, with ``values``."""
        dep = next(d for d in self.deps if any(
            f"{i['id']}.{i['property']}" == trigger for i in d["inputs"]))
        parts = [p.rsplit(".", 1) for p in dep["output"].strip(".").split("...")]
        outputs = [self._item(i, p.split("@")[0], {}) for i, p in parts]
        return json.dumps({
            "output": dep["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [self._item(i["id"], i["property"], values) for i in dep["inputs"]],
            "state": [self._item(s["id"], s["property"], values) for s in dep["state"]],
            "changedPropIds": [trigger]}).encode()


def _serve(root: Path, folders: list[Path], cache: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([sys.executable, "run_scenario.py", "serve", *map(str, folders),
                                "--port", "0", "--cache", str(cache)], cwd=root,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in process.stdout or []:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        if "the page is at http://" in line:
            return process, line.split("the page is at ", 1)[1].split()[0]
    process.kill()
    raise RuntimeError("serve did not start within 120 s")


def field_values(client: Client, values: dict[str, Any]) -> dict[str, Any]:
    """The lever fields' values as the page fills them for its first option."""
    request = urllib.request.Request(
        client.url + "_dash-update-component", headers={"Content-Type": "application/json"},
        data=client.body("start-from.value", values))
    with client.opener.open(request, timeout=60) as answer:
        filled = json.loads(answer.read())["response"]
    found = {}
    for text, props in filled.items():
        if text.startswith("{"):
            found[f"{json.loads(text)['path']}.value"] = props["value"]
    return found


def _request(client: Client, kind: str, number: int, values: dict[str, Any]) -> int:
    if kind == "page":
        return client.status()
    if kind == "oversized":
        padded = {**values, "shown.value": ["x" * OVERSIZED_BYTES]}
        return client.status("_dash-update-component", client.body("shown.value", padded))
    if kind == "export":
        return client.status("_dash-update-component", client.body(
            "export-page.n_clicks", {**values, "export-page.n_clicks": 1}))
    moved = {**values, "ask.n_clicks": 1, "states.SGR.officers.posts.value": str(2 + number)}
    return client.status("_dash-update-component", client.body("ask.n_clicks", moved))


def page_rss_mb_after(requests: int = 100, root: Path = ROOT, sessions: int = 10) -> PageMemory:
    """The page's memory after ``requests`` mixed requests, as the module describes."""
    with tempfile.TemporaryDirectory() as tmp:
        folders = []
        for name in ("status_quo", "three_to_four_per_state"):
            out = Path(tmp) / name
            subprocess.run([sys.executable, "run_scenario.py", "run", f"scenarios/{name}.yaml",
                            *ONE_MONTH, "--quiet", "--out", str(out)], cwd=root, check=True,
                           capture_output=True)
            folders.append(out)
        process, url = _serve(root, folders, Path(tmp) / "cache")
        try:
            opener = urllib.request.build_opener()
            deps = json.loads(opener.open(url + "_dash-dependencies", timeout=60).read())
            layout = json.loads(opener.open(url + "_dash-layout", timeout=60).read())
            levers = list(_ids(layout, "lever"))
            values = {"shown.value": ["status_quo", "three_to_four_per_state"],
                      "reference.value": "status_quo", "start-from.value": "status_quo",
                      "replications.value": "2", "vacant.value": ["vacant"],
                      "my-jobs.data": [], "scope.value": "national"}
            clients = [Client(url, deps, levers) for _ in range(sessions)]
            for client in clients:
                client.status()
            values |= field_values(clients[0], values)
            memory = PageMemory(rss_mb(process.pid), 0.0)
            for number in range(requests):
                kind = KINDS[number % len(KINDS)]
                code = _request(clients[number % sessions], kind, number, values)
                counts = memory.answers.setdefault(kind, {})
                counts[str(code)] = counts.get(str(code), 0) + 1
            memory.after_mb = rss_mb(process.pid)
            return memory
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
