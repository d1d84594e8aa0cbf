"""The value a static reader cannot know, shared by the Python and JavaScript readers.

An environment variable, a call into another module, a conditional binding:
the readers return `Unknown` with what the value depends on, so a rule can
say "depends on os.environ['CORS_ORIGINS']" instead of guessing.
"""

from __future__ import annotations

from ..expansion import LIMITS


class Unknown:
    """A value the linter cannot know statically."""

    __slots__ = ("reason", "line")

    def __init__(self, reason: str, line: int | None = None):
        self.reason = reason
        self.line = line

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"

    def __bool__(self) -> bool:   # an unknown value is never silently truthy or falsy
        raise TypeError(f"truth value of an unknown value ({self.reason})")


def is_unknown(value) -> bool:
    return isinstance(value, Unknown)


def too_large(line: int | None = None) -> Unknown:
    """A value the reader refused to build: larger than expansion.py admits
    (a constant doubling itself line after line)."""
    return Unknown(f"a value larger than corslint builds from constants ({LIMITS})", line)
