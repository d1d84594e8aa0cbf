"""Bounds on the values a reader builds from what a configuration spells.

A line can spell a gigabyte: Apache `Define X1 ${X0}${X0}` forty times
over, a JavaScript `[...A0, ...A0]` chain, Python `A1 = A0 + A0`.  The
readers build a value out of other values only once a `Budget` admits it: a
value of at most MAX_VALUE units, while the values built for one file add up
to at most MAX_BUILT.  A value refused is unknown to the reader (or, where
the format has an error for it, an input error at the line): corslint never
runs out of memory spelling it out.

A unit is a character of a string or an element of a container, nested
containers counted in full: `[A, A]` holds A twice, as its text would.
"""

from __future__ import annotations

#: the largest value built from others (a real configuration's are kilobytes)
MAX_VALUE = 1 << 20
#: what the values built while reading one file may add up to
MAX_BUILT = 16 << 20
#: the limits in words, for messages
LIMITS = f"{MAX_VALUE >> 20} MiB a value, {MAX_BUILT >> 20} MiB a file"


def size(value, limit: int) -> int:
    """The units `value` holds, or a number over `limit` once it is known to
    exceed it (so measuring a bomb costs no more than the limit)."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, (list, tuple, set, frozenset, dict)):
            total += len(item)
            if total > limit:
                return total
            if isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            else:
                stack.extend(item)
        else:
            total += 1
        if total > limit:
            return total
    return total


class Budget:
    """What the values built while reading one file may still add up to."""

    __slots__ = ("left", "refused")

    def __init__(self):
        self.left = MAX_BUILT
        #: how many values were refused (a reader reports the first)
        self.refused = 0

    def admits(self, *parts, extra: int = 0) -> bool:
        """Whether a value made of `parts` (and `extra` more units) may be
        built; if so its units are counted.  A refused value's units are
        counted too, so measuring bombs over and over ends soon."""
        limit = min(MAX_VALUE, self.left)
        units = extra
        for part in parts:
            units += size(part, limit - units) if units <= limit else 0
        self.left -= min(units, self.left)
        if units > limit:
            self.refused += 1
            return False
        return True

    def spliced(self, parts: list[tuple[object, bool]]) -> list | None:
        """The list a display spells from `parts`, each (value, spread): a
        spread value's elements are spliced in (`[...a, b]`, `[*a, b]`); None
        when the budget refuses it."""
        if not self.admits(*(value for value, _ in parts)):
            return None
        out = []
        for value, spread in parts:
            if spread:
                out.extend(value)
            else:
                out.append(value)
        return out
