"""The files the page sends, only from where they belong, and the cache of its exports.

A file leaves the server only from inside the folders ``serve`` was given or the page's
cache, with every symbolic link resolved first: a ``proposal.pdf`` that links to a file
elsewhere is refused.  Paths are shown relative to those folders (``compare/run.json``),
never as the server's absolute paths.

An exported comparison page is written once for the options it compares (their names,
folders and figures) and sent again from the cache when asked again; the exports together
hold at most so many bytes (``app.limits``), the least recently used removed first.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from app.folders import Option
from app.tables import write_comparison
from reports import ownership
from reports import run_folder as files


def inside(path: Path, roots: Sequence[Path]) -> Path | None:
    """The real path of ``path`` if it is a file inside one of ``roots``, else None."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a loop of links
        return None
    if not real.is_file():
        return None
    return real if any(real.is_relative_to(root) for root in roots) else None


def shown_path(path: Path, roots: Sequence[Path]) -> str:
    """A path as the page shows it: under the name of the served folder holding it."""
    real = path.resolve()
    for root in roots:
        if real.is_relative_to(root):
            return (Path(root.name) / real.relative_to(root)).as_posix()
    return path.name


def plain(text: str, roots: Sequence[Path]) -> str:
    """A message with every served folder's absolute path replaced by its name."""
    for root in sorted(roots, key=lambda r: len(str(r)), reverse=True):
        text = text.replace(str(root), root.name)
    return text


def _fingerprint(options: Sequence[Option], reference: Option) -> str:
    digest = hashlib.sha256(reference.key.encode())
    for option in options:
        figures = pd.util.hash_pandas_object(option.summary, index=False).to_numpy()
        digest.update(f"\0{option.key}\0{option.folder}\0{option.count}\0{option.seed}\0"
                      .encode())
        digest.update(figures.tobytes())
    return digest.hexdigest()[:20]


class Busy(Exception):
    """Another comparison page is being written; the message says to try again."""


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


class Exports:
    """The exported comparison pages under the cache, each written once, within a size."""

    def __init__(self, folder: Path, most_bytes: int, roots: Sequence[Path] = ()) -> None:
        self.folder = folder
        self.most_bytes = most_bytes
        self.roots = tuple(roots)
        # one export written at a time, never twice; a request that finds one being
        # written is refused at once rather than holding one of the server's threads
        self._lock = threading.Lock()

    def comparison(self, options: Sequence[Option], reference: Option) -> Path:
        """The ``comparison.html`` of these options: from the cache, or written now.

        Raises
        ------
        Busy
            If another comparison page is being written.
        """
        out = self.folder / f"comparison-{_fingerprint(options, reference)}"
        page = out / files.COMPARISON_HTML
        if not self._lock.acquire(blocking=False):
            raise Busy("Another comparison page is being written; ask again in a moment.")
        try:
            if page.is_file():
                os.utime(out)  # used now: the last to be removed
            else:
                write_comparison(out, options, reference, folders={
                    o.key: shown_path(o.folder, self.roots) for o in options})
            self._prune(keep=out)
        finally:
            self._lock.release()
        return page

    def _prune(self, keep: Path) -> None:
        """Remove the least recently used exports until they fit (never ``keep``)."""
        held = [(p.stat().st_mtime, p) for p in self.folder.iterdir()
                if p.is_dir() and p.name.startswith("comparison-")]
        sizes = {p: _size(p) for _, p in held}
        total = sum(sizes.values())
        for _, folder in sorted(held):
            if total <= self.most_bytes:
                break
            if folder != keep and ownership.strays(folder) == []:  # only what the page wrote
                shutil.rmtree(folder, ignore_errors=True)
                total -= sizes[folder]
