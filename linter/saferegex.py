"""Regular expressions from configuration files, matched within a time budget.

Configs carry regexes the linter matches against probe URLs, hosts and
origins.  Python's `re` backtracks: a pattern such as `(a+)+$` or
`(x+x+)+y` takes exponential time on a long run of `a` or `x` that fails at
the end, and `a*a*a*b` or `\\d+\\d+x` polynomial time (n^4 on a 2,000
character path is hours).  nginx's PCRE stops such a match at its
backtracking limit; Go's and Envoy's RE2 never backtrack.  A hostile or
careless config must not stall the linter, so:

- patterns that *can* backtrack badly are compiled to a `Guarded` pattern
  whose matches run under a CPU-time budget (`BUDGET_SECONDS`) with the
  `regex` package's `timeout=`: it works on every OS and in every thread,
  and is imported only when a risky pattern is matched.  The few patterns
  `regex` would read differently from `re` (`_NOT_PORTABLE`) run with `re`
  under the Unix CPU timer (SIGVTALRM, main thread only: the `re` engine
  checks for signals while it backtracks); where there is none they count
  as timed out.  Risky means: two
  quantified atoms that can match the same text with nothing between them
  that only one of them can match (`a*a*`, `\\d+\\d+`, `.*/.*`), a variable
  repeat that can meet itself again inside an outer repeat (`(a+)+`,
  `(.?){90}`), a repeat over alternatives, or a backreference;
- every other pattern is a plain `re.Pattern` (no overhead);
- a match over budget raises `RegexTimeout`: the answer that depends on it
  is uncertain, and the engine reports the pattern as an input error
  instead of hanging or guessing.  A pattern that ran out of time once
  fails at once afterwards;
- the guarded matches of one run share `RUN_BUDGET_SECONDS` (`new_budget`
  starts it): many patterns that each stay under the per-match budget
  cannot add up to minutes.  Once it is spent every guarded match raises
  `RegexBudgetSpent` at once, and the run reports that once.
"""

from __future__ import annotations

import re
from _thread import get_ident
from functools import lru_cache
from time import process_time

from .compat import sre_constants as c

#: CPU seconds one match of a risky pattern may take
BUDGET_SECONDS = 0.25
#: CPU seconds all matches of risky patterns may take in one run
RUN_BUDGET_SECONDS = 2.0
#: variable repeats that may still grow at one point of a pattern, and
#: steps of the risk analysis, past which a pattern counts as risky unread
MAX_LIVE_REPEATS = 32
MAX_ANALYSIS_STEPS = 20000
#: optional atoms that may match the same text as another repeat: each
#: doubles the ways to match, so more than this many make a pattern risky
MAX_DOUBLINGS = 4

#: CPU seconds the guarded matches of this run have taken
_spent = 0.0


def new_budget() -> None:
    """Start a run's regex budget afresh (a lint run, a simulation)."""
    global _spent
    _spent = 0.0


def budget_spent() -> bool:
    return _spent >= RUN_BUDGET_SECONDS


class RegexTimeout(Exception):
    """A configured regex backtracks too long on an input."""

    def __init__(self, pattern: str, text: str):
        shown = text if len(text) <= 60 else text[:57] + "..."
        super().__init__(f"the regex {pattern!r} backtracks catastrophically (matching {shown!r} took more than "
                         f"{BUDGET_SECONDS} s); answers that depend on it are uncertain and were not judged")
        self.pattern = pattern
        self.text = text


#: what the run reports, once, when its regex budget is spent
BUDGET_SPENT = (f"uncertain: risky regular expressions took this run's whole budget ({RUN_BUDGET_SECONDS:g} s "
                f"of matching); answers that depend on one were not judged from then on, so findings may be "
                f"missing")


class RegexBudgetSpent(RegexTimeout):
    """The run's regex budget is spent: a guarded match was not tried."""

    def __init__(self, pattern: str, text: str):
        Exception.__init__(self, BUDGET_SPENT)
        self.pattern = pattern
        self.text = text


#: (patterns, not compiled regexes: `re`'s cache compiles them when a
#: configured regex is first looked at; most runs have none)
_BACKREFERENCE = r"\\[1-9]|\(\?P=|\(\?\("
#: `(?:`, `(?P<`, `(?=`...: a `?` that is no quantifier (`\(?` is one: an optional parenthesis)
_GROUP_SYNTAX = r"(?<!\\)\(\?"
#: a group followed by `*`, `+` or `{n,m}`: the only way to nest repeats or repeat alternatives
_GROUP_REPEAT = r"\)[*+{]"


def risky(pattern: str, flags: int = 0) -> bool:
    """Whether the pattern can take more than linear-ish time to match.
    Called once per pattern (`compile` caches), and cheap: most patterns
    are decided by counting their quantifiers."""
    loops = pattern.count("*") + pattern.count("+") + pattern.count("{")
    optional = pattern.count("?") - len(re.findall(_GROUP_SYNTAX, pattern))
    if loops + optional == 0 or (loops + optional == 1 and "|" not in pattern) or \
            (loops <= 1 and optional <= 2 and not re.search(_GROUP_REPEAT, pattern)):
        if not re.search(_BACKREFERENCE, pattern):
            # at most one loop, repeated by no group, beside two optional atoms at most:
            # no worse than one repeat (`^https?://([a-z0-9-]+\.)?example\.com(:[0-9]+)?$`)
            return False
    from .compat import sre_parse

    try:
        tree = sre_parse.parse(pattern, flags)
        _Analysis().walk(tree, [], bool((tree.state.flags | flags) & re.IGNORECASE))
    except _Risky:
        return True
    except Exception:   # RecursionError, or a pattern `re` refuses (compile raises it)
        return True
    return False


class _Risky(Exception):
    """Raised by the analysis as soon as it finds a way to backtrack badly
    (or has taken more steps than a sane pattern needs)."""


#: the parsed pattern's single-character atoms, and its backtracking repeats
_ATOMS = frozenset((c.LITERAL, c.NOT_LITERAL, c.ANY, c.IN))
_REPEATS = frozenset((c.MAX_REPEAT, c.MIN_REPEAT))
#: character sets are lists of (low, high) code point ranges
_NON_ASCII = (128, 0x10FFFF)
_LETTERS = ((65, 90), (97, 122))
#: what `\d`, `\w`, `\s` match (non-ASCII: anything, a safe overestimate)
_CATEGORY_RANGES = {"CATEGORY_DIGIT": ((48, 57), _NON_ASCII),
                    "CATEGORY_WORD": ((48, 57), (65, 90), (95, 95), (97, 122), _NON_ASCII),
                    "CATEGORY_SPACE": ((9, 13), (32, 32), _NON_ASCII)}


class _Charset:
    """The characters one atom can match: `ranges`, or everything but
    `ranges` when `negated`.  Over-estimated where exactness does not pay:
    more overlap only means more guarding."""

    __slots__ = ("negated", "ranges")

    def __init__(self, negated: bool, ranges: tuple):
        self.negated = negated
        self.ranges = ranges

    def overlaps(self, other: "_Charset") -> bool:
        if self.negated and other.negated:
            return True
        if self.negated or other.negated:
            positive, excluded = (other, self) if self.negated else (self, other)
            return any(_outside(r, excluded.ranges) for r in positive.ranges)
        return any(a[0] <= b[1] and b[0] <= a[1] for a in self.ranges for b in other.ranges)

    def union(self, other: "_Charset") -> "_Charset":
        if not self.negated and not other.negated:
            return _Charset(False, self.ranges + other.ranges)
        if self.negated and other.negated:
            return self if self.ranges == other.ranges else _ANYTHING
        positive, excluded = (other, self) if self.negated else (self, other)
        return excluded if not positive.overlaps(_Charset(False, excluded.ranges)) else _ANYTHING


_ANYTHING = _Charset(True, ())


def _outside(span: tuple, excluded: tuple) -> bool:
    """Whether some character of `span` lies outside every excluded range."""
    low, high = span
    for ex_low, ex_high in sorted(excluded):
        if ex_low > low:
            return True
        low = max(low, ex_high + 1)
        if low > high:
            return False
    return low <= high


def _folded(ranges: tuple) -> tuple:
    """The ranges with the other case of each letter (IGNORECASE); a
    non-ASCII character may fold to an ASCII letter and back (K, s, i)."""
    out = list(ranges)
    for low, high in ranges:
        for a, b in _LETTERS:
            if low <= b and a <= high:
                out.append((max(low, a) ^ 32, min(high, b) ^ 32))
                out.append(_NON_ASCII)
        if high >= 128:
            out.extend(_LETTERS)
    return tuple(out)


class _Live:
    """A variable repeat that may still grow: what it matches, and whether
    it loops (can take more than one turn) or is only optional."""

    __slots__ = ("chars", "loops")

    def __init__(self, chars: _Charset, loops: bool):
        self.chars = chars
        self.loops = loops


class _Analysis:
    """Walks a parsed pattern tracking the variable repeats that may still
    grow ("live": nothing since them that they cannot match).  A new
    variable repeat that can match what a live one matches makes two ways
    to split the same text: two loops make that polynomial (`a*a*`), a loop
    that meets itself on its next turn exponential (`(a+)+`, `(.?){90}`);
    optional atoms only double the work, unless there are many of them
    (`a?a?a?a?a?aaaaa`).  `_Risky` is raised as soon as it is so."""

    def __init__(self):
        self.steps = 0
        #: clashes that involve an optional atom
        self.doublings = 0
        #: walking a loop's item a second time: any clash then repeats on every turn
        self.again = False

    def walk(self, tree, live: list, ignore_case: bool) -> list:
        """The live repeats after `tree`, met with `live`."""
        for op, av in tree:
            self.steps += 1
            if self.steps > MAX_ANALYSIS_STEPS or len(live) > MAX_LIVE_REPEATS:
                raise _Risky()
            if op in _ATOMS:
                if live:            # a repeat the atom cannot match ends before it
                    chars = self.charset(op, av, ignore_case)
                    live = [r for r in live if r.chars.overlaps(chars)]
            elif op in _REPEATS:
                live = self.repeat(av, live, ignore_case)
            elif op is c.POSSESSIVE_REPEAT or op is c.ATOMIC_GROUP:   # never backtracked into
                item = av[2] if op is c.POSSESSIVE_REPEAT else av
                out = self.walk(item, live, ignore_case)
                if op is c.POSSESSIVE_REPEAT and av[1] > 1 and _new(out, live):
                    self.again_walk(item, _new(out, live), ignore_case)
                live = [r for r in out if not _new([r], live)]
            elif op is c.SUBPATTERN:
                live = self.walk(av[3], live, ignore_case or bool(av[1] & re.IGNORECASE))
            elif op is c.BRANCH:
                after: list = []
                for branch in av[1]:
                    after += _new(self.walk(branch, live, ignore_case), after)
                live = after
            elif op in (c.ASSERT, c.ASSERT_NOT):
                self.walk(av[1], [], ignore_case)
            elif op in (c.GROUPREF, c.GROUPREF_EXISTS):
                raise _Risky()      # backreferences
        return live

    def repeat(self, av, live: list, ignore_case: bool) -> list:
        low, high, item = av
        grows = _Live(self.alphabet(item, ignore_case), high > 1) if high != low else None
        if grows is not None:
            clash = [r for r in live if r.chars.overlaps(grows.chars)]
            if clash and (self.again or grows.loops and any(r.loops for r in clash)):
                raise _Risky()      # it and a live loop can split the same text
            self.doublings += len(clash)
            if self.doublings > MAX_DOUBLINGS or grows.loops and _has_branch(item):
                raise _Risky()      # many optional atoms over the same text, or `(a|aa)+`
        out = self.walk(item, live, ignore_case)
        fresh = _new(out, live)
        if high > 1 and fresh:      # a second turn meets what the first left live
            self.again_walk(item, fresh, ignore_case)
        after = out if low > 0 else live + fresh
        return after if grows is None else after + [grows]

    def again_walk(self, item, live: list, ignore_case: bool) -> None:
        again, self.again = self.again, True
        try:
            self.walk(item, live, ignore_case)
        finally:
            self.again = again

    def alphabet(self, tree, ignore_case: bool) -> _Charset:
        """Every character `tree` can match anywhere (an over-estimate)."""
        found = _Charset(False, ())
        for op, av in tree:
            self.steps += 1
            if op in _ATOMS:
                found = found.union(self.charset(op, av, ignore_case))
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
                found = found.union(self.alphabet(av[2], ignore_case))
            elif op is c.SUBPATTERN:
                found = found.union(self.alphabet(av[3], ignore_case or bool(av[1] & re.IGNORECASE)))
            elif op is c.BRANCH:
                for branch in av[1]:
                    found = found.union(self.alphabet(branch, ignore_case))
            elif op is c.ATOMIC_GROUP:
                found = found.union(self.alphabet(av, ignore_case))
            elif op in (c.GROUPREF, c.GROUPREF_EXISTS):
                return _ANYTHING
        return found

    @staticmethod
    def charset(op, av, ignore_case: bool) -> _Charset:
        if op is c.LITERAL:
            ranges: tuple = ((av, av),)
        elif op is c.NOT_LITERAL:
            return _Charset(True, ((av, av),) if not ignore_case else ())
        elif op is c.ANY:
            return _ANYTHING
        else:
            negated, collected = False, []
            for item_op, item in av:
                if item_op is c.NEGATE:
                    negated = True
                elif item_op is c.LITERAL:
                    collected.append((item, item))
                elif item_op is c.RANGE:
                    collected.append(item)
                elif item_op is c.CATEGORY and str(item) in _CATEGORY_RANGES:
                    collected.extend(_CATEGORY_RANGES[str(item)])
                elif item_op is c.CATEGORY and len(av) == 1 and str(item).replace("_NOT", "") in _CATEGORY_RANGES:
                    # `\D`, `\W`, `\S`: all but the ASCII part of the category
                    return _Charset(True, _CATEGORY_RANGES[str(item).replace("_NOT", "")][:-1])
                else:                       # a negated category among others: nearly anything
                    return _ANYTHING
            if negated:
                return _Charset(True, () if ignore_case else tuple(collected))
            ranges = tuple(collected)
        return _Charset(False, _folded(ranges) if ignore_case else ranges)


def _new(repeats: list, known: list) -> list:
    """The repeats that are not in `known` (the same objects)."""
    return [r for r in repeats if all(r is not k for k in known)]


def _has_branch(tree) -> bool:
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


#: the thread that installed `_expired` (signals only reach the main thread)
_handler_thread: int | None = None


def _text(string) -> str:
    return string if isinstance(string, str) else repr(string)


def _call(compiled, name: str, string, args, kwargs):
    """`compiled.<name>(string, ...)`; `sub`'s replacement comes first in
    `args`, and `finditer` is run to the end inside the time limit."""
    if name in ("sub", "subn"):
        return getattr(compiled, name)(args[0], string, *args[1:], **kwargs)
    if name == "finditer":
        return list(compiled.finditer(string, *args, **kwargs))
    return getattr(compiled, name)(string, *args, **kwargs)


#: what `regex` (VERSION0, `re`'s dialect) reads differently from `re`: a
#: POSIX class `[[:alpha:]]` (a set and literals to `re`), a `{` that is no
#: `{m,n}` repeat (`a{e<=1}` is a fuzzy match to `regex`, text to `re`), and
#: verbose patterns (`re` reads `{1, 2}` there as text, `regex` as a repeat)
_NOT_PORTABLE = r"\[[:=.]|\{(?!\d*(?:,\d*)?\})|\(\?[a-zA-Z-]*x"


def _portable(compiled: re.Pattern):
    """The pattern compiled by `regex`, whose matches take a `timeout` on
    every OS and in every thread, or None when `regex` could read it
    differently (or refuses it): the Unix timer guards those."""
    if compiled.flags & re.VERBOSE or not isinstance(compiled.pattern, str) or \
            re.search(_NOT_PORTABLE, compiled.pattern):
        return None
    import regex    # here: only a run that matches a risky pattern pays for it

    flags = regex.VERSION0 | sum(getattr(regex, name) for name in ("IGNORECASE", "MULTILINE", "DOTALL", "ASCII")
                                 if compiled.flags & getattr(re, name))
    try:
        return regex.compile(compiled.pattern, flags)
    except Exception:   # regex.error, or a limit of its own
        return None



class Guarded:
    """A compiled pattern whose matches run within the time budget.
    It offers the `re.Pattern` methods the linter uses."""

    __slots__ = ("compiled", "portable", "pattern", "flags", "groups", "groupindex", "timed_out")

    def __init__(self, compiled: re.Pattern):
        self.compiled = compiled
        #: the same pattern compiled by `regex` (None until the first match;
        #: False when `regex` would read it differently from `re`)
        self.portable = None
        self.pattern = compiled.pattern
        self.flags = compiled.flags
        self.groups = compiled.groups
        self.groupindex = compiled.groupindex
        #: the input a match ran out of time on (the pattern fails at once from then on)
        self.timed_out: str | None = None

    def __repr__(self) -> str:
        return f"Guarded({self.compiled!r})"

    def _run(self, name: str, string, *args, **kwargs):
        global _spent
        if self.timed_out is not None:
            raise RegexTimeout(self.pattern, self.timed_out)
        limit = min(BUDGET_SECONDS, RUN_BUDGET_SECONDS - _spent)
        if limit <= 0:
            raise RegexBudgetSpent(self.pattern, _text(string))
        if self.portable is None:
            self.portable = _portable(self.compiled) or False
        started = process_time()
        try:
            if self.portable:       # any OS, any thread: `regex` stops itself
                return _call(self.portable, name, string, args, dict(kwargs, timeout=limit))
            return self._timed(name, string, args, kwargs, limit)
        except (TimeoutError, _Expired):
            if limit < BUDGET_SECONDS:      # the run's budget ran out, not this pattern's
                raise RegexBudgetSpent(self.pattern, _text(string)) from None
            self.timed_out = _text(string)
            raise RegexTimeout(self.pattern, self.timed_out) from None
        finally:
            _spent += process_time() - started

    def _timed(self, name: str, string, args, kwargs, limit: float):
        """A match with `re` under the Unix CPU timer, for the rare pattern
        `regex` would read differently; where there is no such timer (Windows,
        a thread other than the main one) the pattern counts as timed out:
        the documented input error, never a match without a limit."""
        global _handler_thread
        import signal   # here, not at the top: most runs never match a risky pattern

        if not hasattr(signal, "setitimer") or not hasattr(signal, "SIGVTALRM"):
            raise _Expired()
        previous = signal.getsignal(signal.SIGVTALRM)
        if previous is not _expired or _handler_thread != get_ident():
            try:
                signal.signal(signal.SIGVTALRM, _expired)
            except ValueError:     # not the main thread: no signals here
                raise _Expired() from None
            _handler_thread = get_ident()
        outer = signal.setitimer(signal.ITIMER_VIRTUAL, limit)
        started = process_time()
        try:
            return _call(self.compiled, name, string, args, kwargs)
        finally:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
            used = process_time() - started
            # our handler stays between matches (installing it costs ten times a match);
            # someone else's is given back, with what is left of their timer
            if previous is not _expired and callable(previous):
                signal.signal(signal.SIGVTALRM, previous)
            if outer[0] > 0:
                signal.setitimer(signal.ITIMER_VIRTUAL, max(outer[0] - used, 1e-6), outer[1])

    def search(self, string, *args, **kwargs):
        return self._run("search", string, *args, **kwargs)

    def match(self, string, *args, **kwargs):
        return self._run("match", string, *args, **kwargs)

    def fullmatch(self, string, *args, **kwargs):
        return self._run("fullmatch", string, *args, **kwargs)

    def findall(self, string, *args, **kwargs):
        return self._run("findall", string, *args, **kwargs)

    def finditer(self, string, *args, **kwargs):
        return iter(self._run("finditer", string, *args, **kwargs))

    def split(self, string, *args, **kwargs):
        return self._run("split", string, *args, **kwargs)

    def sub(self, repl, string, *args, **kwargs):
        return self._run("sub", string, repl, *args, **kwargs)

    def subn(self, repl, string, *args, **kwargs):
        return self._run("subn", string, repl, *args, **kwargs)

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
