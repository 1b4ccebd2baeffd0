"""Results remembered by the objects they were computed from and a key of their own."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Memo(Generic[T]):
    """The last ``kept`` results, by the identity of their owners and a hashable key.

    Each entry holds its owners (a scenario, a surrogate), so their ids stay theirs while
    it is kept: an id freed and reused by a new object can never find an old result.
    """

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self._found: OrderedDict[Hashable, tuple[tuple[object, ...], T]] = OrderedDict()

    def get(self, owners: tuple[object, ...], key: Hashable, compute: Callable[[], T]) -> T:
        """The result for ``owners`` and ``key``: remembered, or computed and remembered."""
        full = (tuple(id(owner) for owner in owners), key)
        found = self._found.get(full)
        if found is None or any(a is not b for a, b in zip(found[0], owners, strict=True)):
            found = self._found[full] = (owners, compute())
            if len(self._found) > self.kept:
                self._found.popitem(last=False)
        self._found.move_to_end(full)
        return found[1]
