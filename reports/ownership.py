"""What the tool may replace, one writer a destination, and a record that notices every edit.

A folder is the tool's when its record says so: ``run.json`` (or a sweep's ``sweep.json``)
carries ``"tool": "micac-planner"`` and, since it was added, a manifest of every file the run
wrote with its SHA-256 and a hash of each of the record's own fields.  Folders written before
the marker are recognised by a ``run.json`` that reads as a run's record and names only
files the tool writes.  ``--force`` replaces nothing else.

A destination is written by one run at a time: ``claim`` takes an exclusive ``flock`` on a
hidden lock file beside it (``.NAME.lock``), which the kernel releases when the process
ends however it ends, so a killed run leaves no stale lock.  While it holds the lock a run
removes the hidden staging folders (``.NAME.partial-*``) that a killed run left there.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOOL = "micac-planner"
"""The marker in every record the tool writes (``run.json``'s and ``sweep.json``'s ``tool``)."""
RUN_JSON = "run.json"
SWEEP_JSON = "sweep.json"
MANIFEST = "manifest"
RECORD_HASHES = "record_sha256"
PARTIAL = ".partial-"
LOCK_SUFFIX = ".lock"

KNOWN_FILES = frozenset({
    "summary.csv", "yearly.csv", "replications.csv", "monthly.csv", "delays.csv",
    "end_state.csv", "utilisation.csv", RUN_JSON, "report.html", "plan.csv", "paired_diff.csv",
    "candidates.csv", "certificate.csv", "regret.csv", "marginal.csv", "budget.csv",
    "frontier.csv", "binding.csv", "comparison.csv", "comparison.html", "hypotheses.csv",
    "discriminators.csv", "design_points.csv", "fitted_parameters.csv", "checks.csv",
    "validation.html", "sensitivity.csv", "sensitivity.html", "proposal.pdf", "proposal.xlsx",
    "sweep.csv", "sweep.png", SWEEP_JSON})
"""Every file name the tool has written into a result folder, for folders without a manifest."""
KNOWN_FOLDERS = frozenset({"hypotheses", "points"})


class DestinationError(Exception):
    """A destination the tool must not write, or one another run is writing."""


# ---------------------------------------------------------------------------------------
# The record: the marker, the manifest, and a hash of every field
# ---------------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _value_sha256(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def files_of(folder: Path) -> list[str]:
    """Every file below ``folder`` as a POSIX path relative to it, but its own record."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and relative not in (RUN_JSON, SWEEP_JSON):
            found.append(relative)
    return found


def sealed(folder: Path, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with the marker, the manifest of ``folder``'s files and its fields' hashes.

    The record is taken as JSON will read it back (paths and dates as text), so that the
    hashes of a record read from ``run.json`` are those written.
    """
    plain = json.loads(json.dumps(record, default=str))
    plain.pop(RECORD_HASHES, None)
    plain["tool"] = TOOL
    plain[MANIFEST] = {name: file_sha256(folder / name) for name in files_of(folder)}
    plain[RECORD_HASHES] = {key: _value_sha256(value) for key, value in plain.items()}
    return plain


def write_record(folder: Path, record: dict[str, Any], name: str = RUN_JSON) -> None:
    """Write ``record``, sealed over the files ``folder`` holds now, as ``folder/name``."""
    text = json.dumps(sealed(folder, record), indent=2, default=str) + "\n"
    (folder / name).write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class FolderCheck:
    """What changed in a run folder since the tool wrote it."""

    sealed: bool
    """False for a folder written before records carried a manifest (nothing is checked)."""
    edited_fields: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    edited: tuple[str, ...] = ()

    @property
    def record_edited(self) -> bool:
        """Whether the record itself (seed, scenario, manifest...) was changed."""
        return bool(self.edited_fields)

    @property
    def whole(self) -> bool:
        """True when nothing was changed, added or taken away."""
        return not (self.edited_fields or self.missing or self.added or self.edited)

    def lines(self) -> list[str]:
        """One line a change, in words."""
        said = []
        if self.edited_fields:
            said.append(f"{RUN_JSON} was edited after the run: its field(s) "
                        f"{', '.join(self.edited_fields)} no longer match the hashes written "
                        "with them (an edited record, not a change of this version)")
        said += [f"{name}: missing (the run wrote it)" for name in self.missing]
        said += [f"{name}: added after the run (the run did not write it)"
                 for name in self.added]
        said += [f"{name}: edited after the run (its SHA-256 differs)" for name in self.edited]
        return said


def check_folder(folder: Path, record: dict[str, Any]) -> FolderCheck:
    """Compare ``folder`` with the manifest and field hashes of its record."""
    hashes = record.get(RECORD_HASHES)
    manifest = record.get(MANIFEST)
    if not isinstance(hashes, dict) or not isinstance(manifest, dict):
        return FolderCheck(sealed=False)
    fields = {key for key in record if key != RECORD_HASHES} | set(hashes)
    edited_fields = tuple(sorted(
        key for key in fields
        if key not in record or key not in hashes or _value_sha256(record[key]) != hashes[key]))
    present = set(files_of(folder))
    written = set(manifest)
    edited = tuple(sorted(name for name in present & written
                          if file_sha256(folder / name) != manifest[name]))
    return FolderCheck(True, edited_fields, tuple(sorted(written - present)),
                       tuple(sorted(present - written)), edited)


# ---------------------------------------------------------------------------------------
# Ownership: which folders the tool may replace
# ---------------------------------------------------------------------------------------


def _record(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return record if isinstance(record, dict) else None


def _is_tool_scratch(name: str) -> bool:
    """A lock file or a staging folder the tool leaves beside what it writes."""
    return name.startswith(".") and (PARTIAL in name or name.endswith(LOCK_SUFFIX))


def _legacy_strays(folder: Path) -> list[str]:
    """Entries of a folder written before manifests that the tool would not have written."""
    strays = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(_is_tool_scratch(part) for part in relative.parts):
            continue
        depth = len(relative.parts)
        if path.is_dir():
            allowed = (depth == 1 and relative.name in KNOWN_FOLDERS) or (
                depth == 2 and relative.parts[0] in KNOWN_FOLDERS)
        else:
            allowed = relative.name in KNOWN_FILES or (
                relative.name.startswith("option_") and relative.suffix == ".csv")
        if not allowed:
            strays.append(relative.as_posix() + ("/" if path.is_dir() else ""))
    return strays


def strays(folder: Path) -> list[str] | None:
    """What in ``folder`` the tool did not write; None when it is not the tool's folder at all.

    A sweep's folder is the tool's when its ``sweep.json`` says so and every point in it is
    the tool's; a run's when its ``run.json`` does and every file is in the manifest (or, for
    a folder written before manifests, is a file the tool writes).
    """
    run = _record(folder / RUN_JSON)
    sweep = _record(folder / SWEEP_JSON)
    if sweep is not None and sweep.get("tool") == TOOL:
        return _sweep_strays(folder)
    if run is None:
        if (folder / "points").is_dir() and not _legacy_strays(folder):
            return _sweep_strays(folder)  # a sweep written before sweep.json
        return None
    manifest = run.get(MANIFEST)
    if run.get("tool") == TOOL and isinstance(manifest, dict):
        return [name for name in files_of(folder) if name not in manifest
                and not any(_is_tool_scratch(part) for part in name.split("/"))]
    if not any(key in run for key in ("seed", "scenario", "options")):
        return None  # a run.json of something else
    return _legacy_strays(folder)


def _sweep_strays(folder: Path) -> list[str]:
    found = [path.name for path in folder.iterdir()
             if path.name not in ("points", "sweep.csv", "sweep.png", SWEEP_JSON)
             and not _is_tool_scratch(path.name)]
    points = folder / "points"
    for point in sorted(points.iterdir()) if points.is_dir() else []:
        if _is_tool_scratch(point.name):
            continue
        inside = strays(point) if point.is_dir() else None
        if inside is None:
            found.append(f"points/{point.name}")
        else:
            found += [f"points/{point.name}/{name}" for name in inside]
    return sorted(found)


def _listing(names: Iterable[str], most: int = 4) -> str:
    names = list(names)
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _holds_working_folder(out: Path) -> bool:
    here = Path.cwd().resolve()
    there = out.resolve()
    return here == there or there in here.parents


def check_replaceable(out: Path, force: bool, sweep: bool = False) -> None:
    """Refuse a destination whose files the tool did not write, or, without force, any run.

    ``sweep`` lets a sweep resume into its own folder (and only a sweep's folder).

    Raises
    ------
    DestinationError
        With what is there and what to do.
    """
    if _holds_working_folder(out):
        raise DestinationError(f"--out {out} is the folder you are working in (or holds it); "
                               "the tool never replaces it: choose a new folder, e.g. "
                               "runs/NAME")
    if not out.is_dir() or not any(out.iterdir()):
        return
    foreign = strays(out)
    if foreign is None:
        entries = sorted(p.name + ("/" if p.is_dir() else "") for p in out.iterdir())
        raise DestinationError(
            f"--out {out} holds files this tool did not write ({_listing(entries)}); it "
            "replaces only a folder one of its runs wrote: choose a new or empty folder")
    if foreign:
        raise DestinationError(
            f"--out {out} is a run folder, but it also holds files the run did not write "
            f"({_listing(foreign)}); the tool will not delete them: move them away or choose "
            "another folder")
    if sweep:
        if not ((out / SWEEP_JSON).is_file() or (out / "points").is_dir()):
            raise DestinationError(f"--out {out} holds a run, not a sweep; a sweep resumes "
                                   "only into its own folder: choose another folder")
        return
    if not force:
        raise DestinationError(f"--out {out} already holds another run; choose a new folder "
                               "or add --force to replace it")


# ---------------------------------------------------------------------------------------
# One writer at a time
# ---------------------------------------------------------------------------------------

_held: dict[Path, tuple[int, int]] = {}
_guard = threading.Lock()


def lock_path(out: Path) -> Path:
    """The hidden lock file of a destination, beside it."""
    where = out.resolve()
    return where.parent / f".{where.name}{LOCK_SUFFIX}"


def _lock(path: Path, out: Path) -> int:
    """An open, exclusively locked descriptor of ``path`` (retried if it was replaced)."""
    while True:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 64, 0).decode("ascii", "replace").strip()
            os.close(handle)
            raise DestinationError(
                f"--out {out} is being written by another run"
                + (f" (process {holder})" if holder else "")
                + "; wait for it to finish or choose another folder") from None
        try:
            same = os.fstat(handle).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False  # the holder before us removed it as we opened it
        if same:
            os.ftruncate(handle, 0)
            os.pwrite(handle, str(os.getpid()).encode("ascii"), 0)
            return handle
        os.close(handle)


def claim(out: Path) -> None:
    """Hold the destination for this process (again, if it holds it already).

    Removes the staging folders a killed run left beside it.

    Raises
    ------
    DestinationError
        If another process holds it.
    """
    key = out.resolve()
    with _guard:
        if key in _held:
            handle, count = _held[key]
            _held[key] = (handle, count + 1)
            return
        key.parent.mkdir(parents=True, exist_ok=True)
        _held[key] = (_lock(lock_path(out), out), 1)
    remove_stale_partials(key)


def release(out: Path) -> None:
    """Let go of a destination claimed once; the last release removes the lock file."""
    key = out.resolve()
    with _guard:
        if key not in _held:
            return
        handle, count = _held.pop(key)
        if count > 1:
            _held[key] = (handle, count - 1)
            return
        try:
            os.unlink(lock_path(out))  # still locked: a run opening it now retries
        except FileNotFoundError:
            pass
        os.close(handle)


def release_all() -> None:
    """Let go of every destination this process holds (at the end of a command)."""
    for key in list(_held):
        while key in _held:
            release(key)


@contextmanager
def holding(out: Path) -> Iterator[None]:
    """Hold ``out`` for the duration of a block."""
    claim(out)
    try:
        yield
    finally:
        release(out)


def stale_partials(out: Path) -> list[Path]:
    """The staging folders of earlier runs into ``out`` (only a dead run leaves one)."""
    where = out.resolve()
    pattern = f".{glob.escape(where.name)}{PARTIAL}*"
    return sorted(p for p in where.parent.glob(pattern) if p.is_dir())


def remove_stale_partials(out: Path) -> None:
    """Remove the staging folders a killed run left; call only while holding ``out``."""
    for folder in stale_partials(out):
        shutil.rmtree(folder, ignore_errors=True)


def mark_sweep(out: Path, record: dict[str, Any]) -> None:
    """Mark a sweep's folder as the tool's (``sweep.json``), once, as the sweep starts."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / SWEEP_JSON
    if not path.exists():
        path.write_text(json.dumps({"tool": TOOL, **record}, indent=2, default=str) + "\n",
                        encoding="utf-8")
