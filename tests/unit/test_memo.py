"""The memo behind ``evaluate``: one computation per owners and key, never another's result."""

from __future__ import annotations

from solvers.memo import Memo


def test_a_result_is_computed_once_per_owners_and_key_and_old_ones_leave() -> None:
    calls: list[str] = []

    def compute(label: str) -> str:
        calls.append(label)
        return label

    memo: Memo[str] = Memo(kept=2)
    owner, other = object(), object()
    assert memo.get((owner,), "a", lambda: compute("a")) == "a"
    assert memo.get((owner,), "a", lambda: compute("again")) == "a"  # remembered
    assert memo.get((other,), "a", lambda: compute("other")) == "other"  # another owner
    assert memo.get((owner,), "b", lambda: compute("b")) == "b"  # evicts the oldest used
    assert memo.get((other,), "a", lambda: compute("other again")) == "other"  # still kept
    assert memo.get((owner,), "a", lambda: compute("a again")) == "a again"  # evicted
    assert calls == ["a", "other", "b", "a again"]


def test_a_new_object_at_a_freed_id_never_finds_an_old_result() -> None:
    """Entries hold their owners, so an id cannot be freed and reused while remembered."""
    memo: Memo[int] = Memo(kept=8)
    for number in range(50):
        owner = [number]  # a new object each time; Python reuses freed ids
        assert memo.get((owner,), "key", lambda number=number: number) == number
