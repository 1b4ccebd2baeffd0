"""The options every session sees, and the cache of answers, keyed by the scenario's hash.

One catalogue serves every session: an option one leader adds appears for all, and a
lever move another leader asked before is answered at once.  An answer is a run folder
(the command line's format); its key is the SHA-256 of the resolved scenario (seed and
replications included, ``model.runs.provenance``) and the number of its first replication,
so two scenarios that differ in anything get different answers and the same scenario
asked twice gets the same one.  The cache holds the run folders given to ``serve``, every
finished point of the sweeps given to it, and what the page itself ran (``--cache``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from app.folders import FolderError, Option, folder_options, is_sweep, run_option, sweep_points
from model.loading import ScenarioError, validate
from model.runs.provenance import scenario_sha256
from model.scenario import Scenario
from reports import run_folder as files


def answer_key(scenario: Scenario, first: int = 0) -> str:
    """The cache key of a scenario's replications ``first, first + 1, ...``."""
    return f"{scenario_sha256(scenario)[:24]}-{first}"


def option_scenario(option: Option, replications: int | None = None) -> Scenario:
    """The scenario an option rests on, with its seed and replications (or ``replications``).

    Raises
    ------
    ScenarioError
        If the option records no scenario or it is not valid under this version.
    """
    if option.scenario is None:
        raise ScenarioError(f"{option.key} records no scenario (an optimisation's alternative "
                            "has its figures only); start from another option")
    scenario = validate(dict(option.scenario))
    update: dict[str, Any] = {"optimise": None,
                              "replications": replications or option.count or
                              scenario.replications}
    if option.seed is not None:
        update["seed"] = option.seed
    return scenario.model_copy(update=update)


def _folder_key(folder: Path) -> str | None:
    """The answer key of a run folder, or None if it records no valid scenario."""
    try:
        info = json.loads((folder / files.RUN_JSON).read_text(encoding="utf-8"))
        scenario = validate(dict(info["scenario"])).model_copy(
            update={"seed": int(info["seed"]), "replications": int(info["replications"])})
        first = 0
        replications = folder / files.REPLICATIONS_CSV
        if replications.is_file():
            with replications.open(encoding="utf-8") as stream:
                stream.readline()
                line = stream.readline()
            first = int(line.split(",", 1)[0]) if line else 0
    except (OSError, KeyError, TypeError, ValueError, ScenarioError):
        return None
    return answer_key(scenario, first)


class Catalogue:
    """The options shown, the answers cached, and a version that changes with either."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self._lock = threading.Lock()
        self._showing = threading.Lock()
        self._options: dict[str, Option] = {}
        self._answers: dict[str, Path] = {}
        self._shown: dict[str, str] = {}
        self._served: list[Path] = []
        self.version = 0

    def roots(self) -> tuple[Path, ...]:
        """The folders files may be sent from: those served and the cache (real paths)."""
        with self._lock:
            return (*self._served, self.cache.resolve())

    # -- options ---------------------------------------------------------------------

    def add(self, options: Iterable[Option]) -> list[Option]:
        """Add options, each under a key no other option has; returns them as added."""
        added = []
        with self._lock:
            for option in options:
                key = option.key
                number = 2
                while key in self._options:
                    key, number = f"{option.key} ({number})", number + 1
                option = replace(option, key=key)
                self._options[key] = option
                added.append(option)
            self.version += 1
        return added

    def options(self) -> list[Option]:
        """Every option, in the order added."""
        with self._lock:
            return list(self._options.values())

    def get(self, key: str | None) -> Option | None:
        """The option of a key, or None."""
        with self._lock:
            return self._options.get(key or "")

    # -- answers ---------------------------------------------------------------------

    def index(self, folder: Path, key: str | None = None) -> str | None:
        """Hold a run folder as the answer to its scenario; returns its key."""
        key = key or _folder_key(folder)
        if key is not None:
            with self._lock:
                self._answers.setdefault(key, folder)
                self.version += 1
        return key

    def cached(self, key: str) -> Path | None:
        """The run folder answering a key, if any."""
        with self._lock:
            return self._answers.get(key)

    def answers(self) -> int:
        """How many answers the cache holds."""
        with self._lock:
            return len(self._answers)

    def shown_answer(self, key: str, base: Option, overrides: tuple[str, ...],
                     words: tuple[str, ...]) -> Option:
        """The option showing a cached answer: the one shown before, or a new one.

        Raises
        ------
        KeyError
            If the key has no answer.
        """
        with self._showing:  # two leaders asking at once get one option, not two
            with self._lock:
                shown = self._options.get(self._shown.get(key, ""))
                folder = self._answers[key]
            if shown is not None:
                return shown
            name = f"{base.key} · {', '.join(words)}" if words else f"{base.key} · again"
            option = run_option(folder, name, "page", base.key, overrides)
            added = self.add([option])[0]
            with self._lock:
                self._shown[key] = added.key
            return added

    # -- loading ---------------------------------------------------------------------

    def load(self, folders: Iterable[Path]) -> list[str]:
        """Add the options of the given folders and index every answer among them.

        Returns the notes to print (a sweep's points held as answers).

        Raises
        ------
        FolderError
            If a folder cannot be shown.
        """
        notes = []
        for folder in folders:
            folder = Path(folder)
            with self._lock:
                self._served.append(folder.resolve())
            if is_sweep(folder):
                points = sweep_points(folder)
                held = sum(self.index(point) is not None for point in points)
                notes.append(f"{folder}: a sweep; its {held} finished points answer lever "
                             "moves at once")
                continue
            for option in self.add(folder_options(folder)):
                if option.replications is not None and option.scenario is not None:
                    try:
                        self.index(option.folder, answer_key(option_scenario(option),
                                                             option.first))
                    except ScenarioError:
                        continue
        return notes

    def load_cache(self) -> int:
        """Index the answers of earlier sessions in the cache folder; returns how many."""
        if not self.cache.is_dir():
            return 0
        found = [self.index(folder) for folder in sorted(self.cache.iterdir())
                 if folder.is_dir() and files.is_complete(folder)]
        return sum(key is not None for key in found)


__all__ = ["Catalogue", "FolderError", "answer_key", "option_scenario"]
