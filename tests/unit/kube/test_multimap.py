"""MultiMap: set semantics per key, whether a key holds one value or many."""

from __future__ import annotations

from eso.kube.multimap import MultiMap


def test_values_are_added_and_discarded_like_sets() -> None:
    m: MultiMap[str, tuple[str, str]] = MultiMap()
    assert m.get("t") == frozenset()
    m.add("t", ("ns", "a"))
    m.add("t", ("ns", "a"))  # a set: adding twice keeps one
    assert m.get("t") == {("ns", "a")}
    m.add("t", ("ns", "b"))
    m.add("u", ("ns", "c"))
    assert m.get("t") == {("ns", "a"), ("ns", "b")}
    assert len(m) == 2
    assert sorted(m) == ["t", "u"]
    m.discard("t", ("ns", "a"))
    assert m.get("t") == {("ns", "b")}
    m.discard("t", ("ns", "zzz"))  # not there: nothing happens
    assert m.get("t") == {("ns", "b")}
    m.discard("t", ("ns", "b"))
    assert "t" not in m
    m.discard("t", ("ns", "b"))
    assert m.get("t") == frozenset()


def test_a_key_back_to_one_value_then_empty_is_removed() -> None:
    m: MultiMap[str, str] = MultiMap()
    for v in ("a", "b", "c"):
        m.add("k", v)
    for v in ("c", "a"):
        m.discard("k", v)
    assert m.get("k") == {"b"}
    m.add("k", "d")
    assert m.get("k") == {"b", "d"}
    m.discard("k", "b")
    m.discard("k", "d")
    assert len(m) == 0
