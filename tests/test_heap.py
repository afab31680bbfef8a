"""kafkalab.sim.heap: the frozen heap of a bounded run, and when it asks the collector."""
from __future__ import annotations

import gc

import pytest

from kafkalab.sim import heap


@pytest.fixture(autouse=True)
def _thawed():
    gc.unfreeze()
    yield
    gc.unfreeze()


def _spy(monkeypatch) -> list[str]:
    """Record gc.freeze / gc.unfreeze calls (and still make them).  Counts of frozen objects are no
    test: a frozen object that dies leaves the permanent generation."""
    calls: list[str] = []
    freeze, unfreeze = gc.freeze, gc.unfreeze
    monkeypatch.setattr(gc, "freeze", lambda: (calls.append("freeze"), freeze())[1])
    monkeypatch.setattr(gc, "unfreeze", lambda: (calls.append("unfreeze"), unfreeze())[1])
    return calls


def test_a_block_freezes_once_and_hands_it_back(monkeypatch):
    calls = _spy(monkeypatch)
    with heap.frozen_heap():
        assert gc.get_freeze_count() > 0
        with heap.frozen_heap():  # nested: the outer block's freeze stands
            pass
        assert calls == ["freeze"]
    assert calls == ["freeze", "unfreeze"] and gc.get_freeze_count() == 0


def test_a_nested_block_does_not_walk_the_frozen_heap(monkeypatch):
    with heap.frozen_heap():
        # gc.get_freeze_count() is O(frozen objects); inside our own block the answer is known
        monkeypatch.setattr(heap.gc, "get_freeze_count", lambda: pytest.fail("asked the collector"))
        with heap.frozen_heap():
            pass
        monkeypatch.undo()
    assert gc.get_freeze_count() == 0


def test_the_applications_own_freeze_is_left_alone(monkeypatch):
    gc.freeze()
    calls = _spy(monkeypatch)
    with heap.frozen_heap():
        pass
    assert calls == [] and gc.get_freeze_count() > 0  # neither frozen again nor unfrozen by us


def test_a_process_that_holds_its_heap_frozen_is_not_asked(monkeypatch):
    monkeypatch.setattr(heap, "_held_frozen", False)
    heap.hold_frozen()
    monkeypatch.setattr(heap.gc, "get_freeze_count", lambda: pytest.fail("asked the collector"))
    monkeypatch.setattr(heap.gc, "freeze", lambda: pytest.fail("froze again"))
    with heap.frozen_heap():
        pass
    monkeypatch.undo()
    assert heap._held_frozen is False


def test_the_depth_is_restored_when_the_block_raises():
    with pytest.raises(RuntimeError), heap.frozen_heap():
        raise RuntimeError("boom")
    assert heap._depth == 0 and gc.get_freeze_count() == 0
