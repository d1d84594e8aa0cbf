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
    from .compat import sre_parse  # the stdlib's own regex parser

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


@lru_cache(maxsize=1024)
def wildcard_example(pattern: str, ignore_case: bool = False) -> str | None:
    """A string the pattern matches with every wildcard (`.`, `[^/]`, and
    their repeats `.+`, `.*`, `[^/]+`) filled with `-` or `evil-`, and every
    other repeat at its least: `^https://webv.+isor\\.com$` ->
    `https://webvevil-isor.com`, a host in another registrable domain.  None
    when the pattern has no wildcard, no such string, or Python cannot read it."""
    if "[^" not in pattern and "." not in pattern.replace("\\\\", "").replace("\\.", ""):
        return None     # no `.` and no negated class: no wildcard (and no parse paid)
    compiled = compile_pcre(pattern, ignore_case)
    if compiled is None:
        return None
    from .compat import sre_parse

    try:
        tree = sre_parse.parse(to_python(pattern))
        text = _render(tree, _WILD)
    except Exception:
        return None
    if text is None or text == _render(tree, 0) or not compiled.search(text):
        return None     # no wildcard: nothing but the pattern's own example
    return text


#: the `_render` variant that fills wildcards (`wildcard_example`)
_WILD = 2


def _wildcard(op, av) -> bool:
    """A one-character item that admits (nearly) any character."""
    from .compat import sre_constants as c

    return op in (c.ANY, c.NOT_LITERAL) or (op is c.IN and bool(av) and av[0][0] is c.NEGATE)


def _render(tree, variant: int, depth: int = 0) -> str | None:
    from .compat import sre_constants as c

    if depth > 50:
        return None
    parts: list[str] = []
    size = 0
    for op, av in tree:
        if variant == _WILD and _wildcard(op, av):
            parts.append("-")
        elif op is c.LITERAL:
            parts.append(chr(av))
        elif op is c.NOT_LITERAL:
            parts.append("a" if av != ord("a") else "b")
        elif op is c.ANY:
            parts.append("a")
        elif op is c.IN:
            parts.append(_class_char(av))
        elif op is c.BRANCH:
            branches = av[1]
            pick = branches[0 if variant == _WILD else min(variant, len(branches) - 1)]
            sub = _render(pick, variant, depth + 1)
            if sub is None:
                return None
            parts.append(sub)
        elif op is c.SUBPATTERN:
            sub = _render(av[-1], variant, depth + 1)
            if sub is None:
                return None
            parts.append(sub)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, _high, item = av
            if variant == _WILD and len(item) == 1 and _wildcard(*item[0]):
                parts.append("evil-" if low <= 5 else "-" * low)
                size += len(parts[-1])
                continue
            count = low if variant == _WILD else max(low, variant)
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
    from .compat import sre_constants as c

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
    from .compat import sre_constants as c

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


#: the characters an automaton reads: printable ASCII, all a serialized
#: origin is made of (anything else a pattern names never reaches one)
ALPHABET = frozenset(chr(c) for c in range(0x20, 0x7f))
#: the largest automaton built; a bigger pattern is not explored (None)
MAX_STATES = 1000
#: counted repeats up to this are unrolled; a larger count reads as `*`
_UNROLL = 8


class Automaton:
    """A Thompson automaton over-approximating a pattern's language: every
    string the pattern matches (as a search, a match or a full match) is
    accepted, so "accepts no string of a kind" is a proof about the pattern.
    Lookarounds and `\\b` read as nothing, a backreference as any text, a
    large count as `*`: each only widens the language.  `edges[s]` lists
    (label, target): a frozenset of characters, "" (nothing), "^" (only
    before the first character) or "$" (only after the last)."""

    def __init__(self):
        self.edges: list[list[tuple]] = []

    def state(self) -> int:
        if len(self.edges) >= MAX_STATES:
            raise OverflowError("pattern too large to explore")
        self.edges.append([])
        return len(self.edges) - 1


@lru_cache(maxsize=1024)
def automaton(pattern: str, ignore_case: bool) -> tuple[Automaton, int, int] | None:
    """(automaton, start, accept) for a pattern Python can parse, None for
    one it cannot or one past MAX_STATES."""
    from .compat import sre_parse
    from .compat import sre_constants as c

    try:
        tree = sre_parse.parse(to_python(pattern))
    except Exception:
        return None
    fold = ignore_case or bool(tree.state.flags & c.SRE_FLAG_IGNORECASE) or "(?i" in pattern
    nfa = Automaton()
    try:
        start = nfa.state()
        accept = _build(nfa, tree, start, fold, 0)
    except (OverflowError, RecursionError):
        return None
    return nfa, start, accept


def _build(nfa: Automaton, tree, state: int, fold: bool, depth: int) -> int:
    """Add `tree` after `state`; the state where it ends."""
    from .compat import sre_constants as c

    if depth > 50:
        raise OverflowError("pattern nested too deeply")
    for op, av in tree:
        nxt = nfa.state()
        if op in (c.LITERAL, c.NOT_LITERAL, c.ANY, c.IN):
            nfa.edges[state].append((_chars(op, av, fold), nxt))
        elif op is c.BRANCH:
            for branch in av[1]:
                nfa.edges[_build(nfa, branch, state, fold, depth + 1)].append(("", nxt))
        elif op in (c.SUBPATTERN, c.ATOMIC_GROUP):
            nfa.edges[_build(nfa, av[-1] if op is c.SUBPATTERN else av, state, fold, depth + 1)].append(("", nxt))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            _repeat(nfa, av, state, nxt, fold, depth)
        elif op is c.AT:
            label = {c.AT_BEGINNING: "^", c.AT_BEGINNING_STRING: "^", c.AT_END: "$", c.AT_END_STRING: "$"}
            nfa.edges[state].append((label.get(av, ""), nxt))
        elif op is c.GROUPREF_EXISTS:
            for branch in av[1:]:
                end = _build(nfa, branch, state, fold, depth + 1) if branch is not None else state
                nfa.edges[end].append(("", nxt))
        elif op is c.GROUPREF:
            nfa.edges[state] += [("", nxt), (ALPHABET, state)]
        else:   # ASSERT, ASSERT_NOT and anything newer: no constraint kept
            nfa.edges[state].append(("", nxt))
        state = nxt
    return state


def _repeat(nfa: Automaton, av, state: int, end: int, fold: bool, depth: int) -> None:
    """`item{low,high}`: `low` copies then `high - low` optional ones, or a
    loop where the count is unbounded or past _UNROLL."""
    from .compat import sre_constants as c

    low, high, item = av
    if low > _UNROLL:
        low = 0
    for _ in range(low):
        state = _build(nfa, item, state, fold, depth + 1)
    if high == c.MAXREPEAT or high - low > _UNROLL:
        loop_end = _build(nfa, item, state, fold, depth + 1)
        nfa.edges[loop_end].append(("", state))
        nfa.edges[state].append(("", end))
        return
    for _ in range(high - low):
        nfa.edges[state].append(("", end))
        state = _build(nfa, item, state, fold, depth + 1)
    nfa.edges[state].append(("", end))


def _chars(op, av, fold: bool) -> frozenset:
    """The characters of ALPHABET one character item accepts."""
    from .compat import sre_constants as c

    if op is c.LITERAL:
        out = frozenset((chr(av),))
    elif op is c.NOT_LITERAL:
        out = ALPHABET - {chr(av)}
    elif op is c.ANY:
        out = ALPHABET
    else:
        out = _class(av)
    if fold and out is not ALPHABET:
        out = out | {ch.swapcase() for ch in out if ch.isalpha()}
    return out & ALPHABET


def _class(items) -> frozenset:
    """A `[...]` class's characters of ALPHABET (an unknown category: all)."""
    from .compat import sre_constants as c

    categories = {
        c.CATEGORY_DIGIT: lambda ch: ch.isdigit(), c.CATEGORY_NOT_DIGIT: lambda ch: not ch.isdigit(),
        c.CATEGORY_SPACE: lambda ch: ch.isspace(), c.CATEGORY_NOT_SPACE: lambda ch: not ch.isspace(),
        c.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
        c.CATEGORY_NOT_WORD: lambda ch: not (ch.isalnum() or ch == "_"),
    }
    negate = bool(items) and items[0][0] is c.NEGATE
    out: set[str] = set()
    for op, av in items[1:] if negate else items:
        if op is c.LITERAL:
            out.add(chr(av))
        elif op is c.RANGE:
            out.update(ch for ch in ALPHABET if av[0] <= ord(ch) <= av[1])
        elif op is c.CATEGORY:
            test = categories.get(av)
            if test is None:
                return ALPHABET
            out.update(ch for ch in ALPHABET if test(ch))
        else:
            return ALPHABET
    return ALPHABET - out if negate else frozenset(out)
