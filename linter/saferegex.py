"""Regular expressions from configuration files, matched within a time budget.

Configs carry regexes the linter matches against probe URLs, hosts and
origins.  Python's `re` backtracks: a pattern such as `(a+)+$` or
`(x+x+)+y` takes exponential time on a long run of `a` or `x` that fails at
the end (nginx's PCRE stops such a match at its backtracking limit; Go's
and Envoy's RE2 never backtrack).  A hostile or careless config must not
stall the linter, so:

- patterns that *can* backtrack badly (a repeat inside a repeat, a repeat
  over alternatives, many variable repeats, backreferences) are compiled to
  a `Guarded` pattern whose matches run under a CPU-time budget
  (`BUDGET_SECONDS`, SIGVTALRM: the `re` engine checks for signals while it
  backtracks);
- every other pattern is a plain `re.Pattern` (no overhead);
- a match over budget raises `RegexTimeout`: the answer that depends on it
  is uncertain, and the engine reports the pattern as an input error
  instead of hanging or guessing.  A pattern that ran out of time once
  fails at once afterwards.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: CPU seconds one match of a risky pattern may take
BUDGET_SECONDS = 0.25
#: more variable repeats than this in one pattern make it risky (polynomial backtracking)
MAX_PLAIN_REPEATS = 3


class RegexTimeout(Exception):
    """A configured regex backtracks too long on an input."""

    def __init__(self, pattern: str, text: str):
        shown = text if len(text) <= 60 else text[:57] + "..."
        super().__init__(f"the regex {pattern!r} backtracks catastrophically (matching {shown!r} took more than "
                         f"{BUDGET_SECONDS} s); answers that depend on it are uncertain and were not judged")
        self.pattern = pattern
        self.text = text


#: (patterns, not compiled regexes: `re`'s cache compiles them when a
#: configured regex is first looked at; most runs have none)
_BACKREFERENCE = r"\\[1-9]|\(\?P=|\(\?\("
#: a group followed by `*`, `+` or `{n,m}`: the only way to nest repeats or repeat alternatives
_GROUP_REPEAT = r"\)[*+{]"


def risky(pattern: str, flags: int = 0) -> bool:
    """Whether the pattern can take more than linear-ish time to match."""
    from re import _parser as sre_parse

    repeats = pattern.count("*") + pattern.count("+") + pattern.count("{")
    if repeats == 0 or (repeats == 1 and "|" not in pattern and not re.search(_BACKREFERENCE, pattern)):
        return False     # one repeat over no alternatives: the parse below could not find more
    if repeats <= MAX_PLAIN_REPEATS and not re.search(_GROUP_REPEAT, pattern) and \
            not re.search(_BACKREFERENCE, pattern):
        return False     # no group is repeated, so no repeat sits inside another or over alternatives

    try:
        tree = sre_parse.parse(pattern, flags)
    except Exception:
        return True
    counter = [0]
    try:
        return _risky(tree, False, counter) or counter[0] > MAX_PLAIN_REPEATS
    except RecursionError:
        return True


def _risky(tree, inside_repeat: bool, counter: list[int]) -> bool:
    from re import _constants as c

    for op, av in tree:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, item = av
            loops = high > 1 and high != low
            if loops:
                counter[0] += 1
                if inside_repeat:
                    return True
                if _has_branch(item):
                    return True
            if high > 1 and _risky(item, inside_repeat or loops or high > 1, counter):
                return True
            if high <= 1 and _risky(item, inside_repeat, counter):
                return True
        elif op is c.SUBPATTERN:
            if _risky(av[-1], inside_repeat, counter):
                return True
        elif op is c.BRANCH:
            if any(_risky(branch, inside_repeat, counter) for branch in av[1]):
                return True
        elif op in (c.ASSERT, c.ASSERT_NOT):
            if _risky(av[1], inside_repeat, counter):
                return True
        elif op in (c.GROUPREF, c.GROUPREF_EXISTS):
            return True
        elif op is getattr(c, "ATOMIC_GROUP", None):
            if _risky(av, inside_repeat, counter):
                return True
        elif op is getattr(c, "POSSESSIVE_REPEAT", None):
            if _risky(av[2], True, counter):
                return True
    return False


def _has_branch(tree) -> bool:
    from re import _constants as c

    for op, av in tree:
        if op is c.BRANCH:
            return True
        if op is c.SUBPATTERN and _has_branch(av[-1]):
            return True
    return False


class _Expired(BaseException):
    """Raised by the timer's signal handler inside the `re` engine."""


def _expired(signum, frame):
    raise _Expired()


class Guarded:
    """A compiled pattern whose matches run within the time budget.
    It offers the `re.Pattern` methods the linter uses."""

    __slots__ = ("compiled", "pattern", "flags", "groups", "groupindex", "timed_out")

    def __init__(self, compiled: re.Pattern):
        self.compiled = compiled
        self.pattern = compiled.pattern
        self.flags = compiled.flags
        self.groups = compiled.groups
        self.groupindex = compiled.groupindex
        #: the input a match ran out of time on (the pattern fails at once from then on)
        self.timed_out: str | None = None

    def __repr__(self) -> str:
        return f"Guarded({self.compiled!r})"

    def _run(self, method, string, *args, **kwargs):
        if self.timed_out is not None:
            raise RegexTimeout(self.pattern, self.timed_out)
        import signal   # here, not at the top: most runs never match a risky pattern

        try:
            previous = signal.signal(signal.SIGVTALRM, _expired)
        except ValueError:     # not the main thread: no signals here, match as it is
            return method(string, *args, **kwargs)
        outer = signal.setitimer(signal.ITIMER_VIRTUAL, BUDGET_SECONDS)
        try:
            return method(string, *args, **kwargs)
        except _Expired:
            self.timed_out = string if isinstance(string, str) else repr(string)
            raise RegexTimeout(self.pattern, self.timed_out) from None
        finally:
            left = signal.setitimer(signal.ITIMER_VIRTUAL, 0)[0]
            signal.signal(signal.SIGVTALRM, previous)
            if outer[0] > 0:   # someone else's timer was running: give it back what is left of it
                used = BUDGET_SECONDS - left
                signal.setitimer(signal.ITIMER_VIRTUAL, max(outer[0] - used, 1e-6), outer[1])

    def search(self, string, *args, **kwargs):
        return self._run(self.compiled.search, string, *args, **kwargs)

    def match(self, string, *args, **kwargs):
        return self._run(self.compiled.match, string, *args, **kwargs)

    def fullmatch(self, string, *args, **kwargs):
        return self._run(self.compiled.fullmatch, string, *args, **kwargs)

    def findall(self, string, *args, **kwargs):
        return self._run(self.compiled.findall, string, *args, **kwargs)

    def finditer(self, string, *args, **kwargs):
        return iter(self._run(lambda *a, **k: list(self.compiled.finditer(*a, **k)), string, *args, **kwargs))

    def split(self, string, *args, **kwargs):
        return self._run(self.compiled.split, string, *args, **kwargs)

    def sub(self, repl, string, *args, **kwargs):
        return self._run(lambda s, *a, **k: self.compiled.sub(repl, s, *a, **k), string, *args, **kwargs)

    def subn(self, repl, string, *args, **kwargs):
        return self._run(lambda s, *a, **k: self.compiled.subn(repl, s, *a, **k), string, *args, **kwargs)

    def __eq__(self, other):
        return isinstance(other, Guarded) and other.compiled == self.compiled

    def __hash__(self):
        return hash(self.compiled)


@lru_cache(maxsize=4096)
def compile(pattern: str, flags: int = 0):  # noqa: A001 - mirrors re.compile
    """`re.compile`, guarded when the pattern is risky (raises `re.error` alike)."""
    compiled = re.compile(pattern, flags)
    return Guarded(compiled) if risky(pattern, flags) else compiled


def _compiled(pattern, flags: int):
    if isinstance(pattern, Guarded):
        return pattern
    if isinstance(pattern, re.Pattern):
        return compile(pattern.pattern, pattern.flags | flags)
    return compile(pattern, flags)


def search(pattern, string, flags: int = 0):
    return _compiled(pattern, flags).search(string)


def match(pattern, string, flags: int = 0):
    return _compiled(pattern, flags).match(string)


def fullmatch(pattern, string, flags: int = 0):
    return _compiled(pattern, flags).fullmatch(string)
