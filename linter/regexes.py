"""PCRE regular expressions in Python's `re` dialect, and strings they match.

nginx compiles `location ~`, `if (... ~ ...)`, `map` and `rewrite` patterns
with PCRE, Apache its `RewriteRule`, `<LocationMatch>` and `SetEnvIf`
patterns, and framework allow-lists are regexes too.  The common syntax is
shared with Python; the differences that appear in real configs are named
groups (`(?<name>...)`) and possessive or atomic constructs, which are
rewritten or rejected with a clear message.  `example_for` renders a few
strings a pattern matches: how a probe reaches a regex location or an
allow-listed origin.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: the longest example rendered: a longer one (`a{60000}`, repeats inside
#: repeats) is no example, and the regex is not probed through it
MAX_EXAMPLE = 1024
#: PCRE's `(?<name>`; a pattern `re`'s cache compiles at the first regex a config has
_NAMED_GROUP = r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>"


def to_python(pattern: str) -> str:
    return re.sub(_NAMED_GROUP, r"(?P<\1>", pattern)


@lru_cache(maxsize=4096)
def compile_pcre(pattern: str, ignore_case: bool) -> re.Pattern | None:
    """The compiled pattern (time-bounded when it can backtrack badly:
    saferegex), or None when Python cannot compile it."""
    from .saferegex import compile as compile_bounded

    try:
        return compile_bounded(to_python(pattern), re.IGNORECASE if ignore_case else 0)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None


@lru_cache(maxsize=4096)
def example_for(pattern: str) -> tuple[str, ...]:
    """A few short strings the pattern matches (searched, not full-matched),
    used to find a URL path that lands in a regex location.  None past
    MAX_EXAMPLE characters: rendering is bounded by the cap, not the pattern."""
    compiled = compile_pcre(pattern, False)
    if compiled is None:
        return ()
    from re import _parser as sre_parse  # the stdlib's own regex parser

    try:
        tree = sre_parse.parse(to_python(pattern))
    except Exception:
        return ()
    out = []
    for variant in (0, 1):
        text = _render(tree, variant)
        if text is not None and compiled.search(text) and text not in out:
            out.append(text)
    return tuple(out)


def _render(tree, variant: int, depth: int = 0) -> str | None:
    from re import _constants as c

    if depth > 50:
        return None
    parts: list[str] = []
    size = 0
    for op, av in tree:
        if op is c.LITERAL:
            parts.append(chr(av))
        elif op is c.NOT_LITERAL:
            parts.append("a" if av != ord("a") else "b")
        elif op is c.ANY:
            parts.append("a")
        elif op is c.IN:
            parts.append(_class_char(av))
        elif op is c.BRANCH:
            branches = av[1]
            pick = branches[min(variant, len(branches) - 1)]
            sub = _render(pick, variant, depth + 1)
            if sub is None:
                return None
            parts.append(sub)
        elif op is c.SUBPATTERN:
            sub = _render(av[-1], variant, depth + 1)
            if sub is None:
                return None
            parts.append(sub)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            low, _high, item = av
            count = max(low, variant)
            sub = _render(item, variant, depth + 1)
            if sub is None or len(sub) * count > MAX_EXAMPLE:
                return None
            parts.append(sub * count)
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue
        elif op is c.GROUPREF:
            continue
        else:
            return None
        size += len(parts[-1])
        if size > MAX_EXAMPLE:
            return None
    return "".join(parts)


def _class_char(items) -> str:
    from re import _constants as c

    for op, av in items:
        if op is c.LITERAL:
            return chr(av)
        if op is c.RANGE:
            return chr(av[0])
        if op is c.CATEGORY:
            if av is c.CATEGORY_DIGIT:
                return "0"
            if av is c.CATEGORY_SPACE:
                return " "
            return "a"
        if op is c.NEGATE:
            return "\x01" if len(items) == 1 else _negated(items[1:])
    return "a"


def _negated(items) -> str:
    from re import _constants as c

    excluded = set()
    for op, av in items:
        if op is c.LITERAL:
            excluded.add(chr(av))
        elif op is c.RANGE:
            excluded.update(chr(x) for x in range(av[0], av[1] + 1))
    for ch in "axq0_":
        if ch not in excluded:
            return ch
    return "~"
