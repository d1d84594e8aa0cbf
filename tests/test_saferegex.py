"""The regex guard on every OS and in threads: risky patterns run under
`regex`'s `timeout=` (no Unix timer needed), with the same errors and
budgets as before; patterns `regex` would read differently from `re` keep
`re`'s meaning (Unix timer, or the input error where there is none)."""

from __future__ import annotations

import re
import signal
import textwrap
import threading
import time

import pytest

from corslint import saferegex
from corslint.saferegex import Guarded, RegexBudgetSpent, RegexTimeout

from support import corslint

CATASTROPHIC = (r"^(a|aa)+$", "a" * 60 + "!")


@pytest.fixture(autouse=True)
def fresh_budget():
    saferegex.new_budget()
    saferegex.compile.cache_clear()
    yield
    saferegex.new_budget()
    saferegex.compile.cache_clear()


@pytest.fixture
def no_unix_timer(monkeypatch):
    """Windows, as far as the guard can tell: no setitimer, no SIGVTALRM."""
    monkeypatch.delattr(signal, "setitimer", raising=False)
    monkeypatch.delattr(signal, "SIGVTALRM", raising=False)


def _times_out(pattern: str, text: str) -> float:
    guarded = saferegex.compile(pattern)
    assert isinstance(guarded, Guarded)
    started = time.process_time()
    with pytest.raises(RegexTimeout) as caught:
        guarded.search(text)
    assert "backtracks catastrophically" in str(caught.value) and not isinstance(caught.value, RegexBudgetSpent)
    return time.process_time() - started


def test_portable_path_ends_within_its_budget(no_unix_timer):
    assert _times_out(*CATASTROPHIC) < saferegex.BUDGET_SECONDS + 0.2
    with pytest.raises(RegexTimeout):       # once timed out, at once afterwards
        saferegex.compile(CATASTROPHIC[0]).search("a")


def test_regex_answers_what_re_cannot_in_time(no_unix_timer):
    """`(a+)+$` on "a"*40+"!" is answered (no match) instead of an error."""
    assert saferegex.compile(r"(a+)+$").search("a" * 40 + "!") is None
    assert saferegex.compile(r"(a+)+$").search("a" * 40).span() == (0, 40)


def test_guarded_match_in_a_thread():
    results = []

    def work():
        try:
            saferegex.compile(CATASTROPHIC[0]).search(CATASTROPHIC[1])
        except RegexTimeout as exc:
            results.append(exc)

    thread = threading.Thread(target=work)
    started = time.monotonic()
    thread.start()
    thread.join(30)
    assert not thread.is_alive() and len(results) == 1, results
    assert time.monotonic() - started < 10


def test_run_budget_is_spent_once(no_unix_timer, monkeypatch):
    monkeypatch.setattr(saferegex, "RUN_BUDGET_SECONDS", 0.3)
    _times_out(*CATASTROPHIC)
    with pytest.raises(RegexBudgetSpent):
        saferegex.compile(r"^(b|bb)+$").search("b" * 60 + "!")


@pytest.mark.parametrize("pattern,texts", [
    (r"^(a|[[:alpha:]])+$", ["ab", ":]", "[:a]"]),      # `re`: a set and literals, `regex`: a POSIX class
    (r"^(a{e<=1}|b)+$", ["a{e<=1}", "b", "x"]),              # `re`: text, `regex`: a fuzzy match
    (r"(?x) ^(a{1, 2}|b)+$", ["a{1,2}", "aa"]),               # verbose `{1, 2}`: text to `re`
])
def test_patterns_regex_reads_differently_keep_re_meaning(pattern, texts):
    guarded = saferegex.compile(pattern)
    assert isinstance(guarded, Guarded)
    for text in texts:
        expected = re.search(pattern, text)
        got = guarded.search(text)
        assert (got and got.span()) == (expected and expected.span()), text


def test_patterns_regex_reads_differently_are_input_errors_without_a_timer(no_unix_timer):
    guarded = saferegex.compile(r"^(a|[[:alpha:]])+$")
    assert isinstance(guarded, Guarded)
    with pytest.raises(RegexTimeout):
        guarded.search("ab")


def test_same_answers_as_re_for_the_risky_patterns_seen_in_configs():
    for pattern, flags, text in [
        (r"http.*(osm.org|openstreetmap.org).*", re.I, "http://osm.org"),
        (r"^((gzip|deflate)\s*,?\s*)+|[X~-]{4,13}$", re.I, "gzip, deflate"),
        (r"(^|/)\.well-known/([^./]+./?)+$", re.I, "/.well-known/acme/x/"),
        (r"^(.*(?:^|&))apikey=[^&]*&?(.*)$", 0, "a=1&apikey=2&b=3"),
    ]:
        guarded = saferegex.compile(pattern, flags)
        assert isinstance(guarded, Guarded)
        got, expected = guarded.search(text), re.search(pattern, text, flags)
        assert got.span() == expected.span() and got.groups() == expected.groups()
        assert guarded.sub("#", text) == re.sub(pattern, "#", text, flags=flags)


def test_cli_catastrophic_location_regex(tmp_path):
    """End to end, in the CLI's own main thread (no worker thread): the
    pattern is reported at its line, exit 2.  (The Django settings of
    test_hostile never match their regex against a failing input, so they
    cannot show the error.)"""
    conf = tmp_path / "site.conf"
    conf.write_text(textwrap.dedent(f"""\
        server {{
            listen 80;
            location /{"a" * 40}! {{ return 200; }}
            location ~ (a|aa)+$ {{
                add_header Access-Control-Allow-Origin *;
                return 200;
            }}
        }}
        """))
    started = time.monotonic()
    result = corslint(str(conf), "--type", "nginx", cwd=tmp_path)
    assert time.monotonic() - started < 30
    assert result.returncode == 2, result.stdout + result.stderr
    assert "site.conf:4" in result.stdout + result.stderr and "backtracks" in result.stdout + result.stderr
