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
