"""Nothing is fetched at run time: runs and reports work with the network cut off.

Scenario files are read with YAML's safe loader only, so a file cannot make
the program build arbitrary Python objects.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from model.experiments.replications import run_replications
from model.experiments.summaries import result_tables
from model.loading import load_scenario
from model.scenario import assumptions_register
from reports.run_folder import REPORT_HTML, result_files, write_run_folder
from reports.run_report import render_run_report
from tests.conftest import ROOT, STATUS_QUO

PACKAGES = ("model", "reports", "solvers")
FORBIDDEN = {
    "yaml.load( without SafeLoader": re.compile(r"yaml\.(load|load_all)\((?![^)]*SafeLoader)"),
    "yaml.unsafe_load / full_load": re.compile(r"yaml\.(unsafe_load|full_load)"),
    "yaml.Loader / UnsafeLoader": re.compile(
        r"Loader\s*=\s*yaml\.(Loader|UnsafeLoader|FullLoader)"),
    "urllib": re.compile(r"^\s*(import|from)\s+urllib\b", re.MULTILINE),
    "requests": re.compile(r"^\s*(import|from)\s+requests\b", re.MULTILINE),
    "http.client": re.compile(r"^\s*(import|from)\s+http(\.client)?\b", re.MULTILINE),
    "httpx / aiohttp": re.compile(r"^\s*(import|from)\s+(httpx|aiohttp)\b", re.MULTILINE),
}
BLOCK_NETWORK = """
import socket

def _refuse(*args, **kwargs):
    raise AssertionError("network access attempted")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.socket.sendto = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
"""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every attempt to connect, send or resolve a name is refused and recorded.

    Recorded as well as refused: a library that caught the error and carried on
    would otherwise hide the attempt.
    """
    attempts: list[str] = []

    def refuse(name: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{name}{args[1:] if name.startswith('socket.') else args}")
            raise OSError("network access is blocked in this test")
        return refused

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    return attempts


def test_model_and_report_run_offline(no_network: list[str], tmp_path: Path) -> None:
    """Load, simulate, summarise and render the report with every socket refused."""
    scenario = load_scenario(STATUS_QUO, ["end_date=2024-02-29",
                                          "arrivals.referrals_per_year.2023=20000"])
    results = run_replications(scenario, 2, workers=1)
    tables = result_files(result_tables(results))
    info = {"scenario": scenario.model_dump(mode="json"), "seed": scenario.seed,
            "replications": 2, "interval": "95 % t-interval", "packages": {},
            "assumptions": assumptions_register(scenario)}
    out = write_run_folder(tmp_path / "run", tables, info, renderers=[render_run_report])
    page = (out / REPORT_HTML).read_text(encoding="utf-8")
    assert "<html" in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), \
        "the report links to something on the network"
    assert no_network == []


def test_the_block_catches_an_attempt(no_network: list[str]) -> None:
    """The fixture does refuse and record a connection (else the test above proves nothing)."""
    with pytest.raises(OSError):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    assert len(no_network) == 1


def test_command_line_run_offline(tmp_path: Path) -> None:
    """The whole command, parallel workers included, with sockets refused in the process."""
    out = tmp_path / "run"
    code = BLOCK_NETWORK + textwrap.dedent(f"""
        import runpy, sys
        sys.argv = ["run_scenario.py", "scenarios/status_quo.yaml", "--set",
                    "end_date=2024-01-31", "--set", "arrivals.referrals_per_year.2023=5000",
                    "--replications", "2", "--workers", "2", "--quiet", "--out", {str(out)!r}]
        runpy.run_path("run_scenario.py", run_name="__main__")
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert (out / "report.html").is_file() and (out / "summary.csv").is_file()


@pytest.mark.parametrize("package", PACKAGES)
def test_no_network_clients_and_only_safe_yaml(package: str) -> None:
    """No module of the product loads YAML unsafely or imports an HTTP client."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for what, pattern in FORBIDDEN.items():
            if pattern.search(text):
                found.append(f"{path.relative_to(ROOT)}: {what}")
    assert found == []


def test_the_checks_would_catch_a_violation() -> None:
    """The patterns above do match the forbidden forms (a check that cannot fail checks nothing)."""
    samples = {
        "yaml.load( without SafeLoader": "data = yaml.load(text)",
        "yaml.unsafe_load / full_load": "yaml.full_load(text)",
        "urllib": "from urllib.request import urlopen",
        "requests": "import requests",
        "http.client": "import http.client",
    }
    for what, sample in samples.items():
        assert FORBIDDEN[what].search(sample), what
    assert not FORBIDDEN["yaml.load( without SafeLoader"].search(
        "yaml.load(text, Loader=yaml.SafeLoader)")
