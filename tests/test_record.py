"""corslint.record: the dataclass subset corslint's value classes use."""

from __future__ import annotations

from functools import cached_property

import pytest

from corslint.record import FrozenInstanceError, field, record, replace


@record
class Line:
    name: str
    value: str = ""
    tags: list[str] = field(default_factory=list)
    _cache: dict | None = field(default=None, repr=False, compare=False)


@record(frozen=True)
class Point:
    x: int
    y: int = 0

    @cached_property
    def norm(self) -> int:
        return abs(self.x) + abs(self.y)


@record(frozen=True)
class Checked:
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in ("a", "b"):
            raise ValueError(self.kind)


def test_init_positional_keyword_and_defaults():
    a = Line("Vary", tags=["x"])
    assert (a.name, a.value, a.tags, a._cache) == ("Vary", "", ["x"], None)
    assert Line("a").tags is not Line("a").tags          # a fresh list per instance
    with pytest.raises(TypeError):
        Line()                                           # a required field is required


def test_repr_and_eq_skip_excluded_fields():
    assert repr(Line("a", "b")) == "Line(name='a', value='b', tags=[])"
    assert Line("a", _cache={}) == Line("a")
    assert Line("a") != Line("b")
    assert Line("a") != ("a", "", [])


def test_mutable_records_are_unhashable_frozen_ones_hash_by_fields():
    with pytest.raises(TypeError):
        hash(Line("a"))
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert len({Point(1, 2), Point(1, 2), Point(2)}) == 2


def test_frozen_refuses_assignment_but_allows_cached_property():
    p = Point(3, -4)
    with pytest.raises(FrozenInstanceError):
        p.x = 1
    with pytest.raises(AttributeError):
        del p.y
    assert p.norm == 7


def test_post_init_runs():
    assert Checked("a").kind == "a"
    with pytest.raises(ValueError):
        Checked("c")


def test_replace_copies_with_changes():
    p = Point(1, 2)
    assert replace(p, y=5) == Point(1, 5)
    assert p == Point(1, 2)


def test_required_field_after_default_is_an_error():
    with pytest.raises(TypeError):
        @record
        class Bad:
            a: int = 0
            b: int


def test_generic_and_compiled_init_agree():
    """The first COMPILE_AFTER instances come from the generic __init__, the
    rest from the compiled one: values, defaults and errors are the same."""
    from corslint.record import COMPILE_AFTER

    @record(frozen=True)
    class Pair:
        a: int
        b: list = field(default_factory=list)
        c: str = "c"

    seen = []
    for i in range(COMPILE_AFTER + 3):
        p = Pair(i, c="x") if i % 2 else Pair(a=i, b=[i])
        seen.append((p.a, p.b, p.c))
        for bad in ((), (1, 2, 3, 4)):
            with pytest.raises(TypeError):
                Pair(*bad)
        with pytest.raises(TypeError):
            Pair(1, a=2)
        with pytest.raises(TypeError):
            Pair(1, d=2)
    assert seen == [(i, [], "x") if i % 2 else (i, [i], "c") for i in range(COMPILE_AFTER + 3)]
    assert "_lazy_init" not in Pair.__init__.__qualname__     # compiled by now
