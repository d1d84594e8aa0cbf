"""Origins: syntax, registrable domains, trust, and the foreign origins an
allow-list pattern lets in (the heart of CORS205)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corslint.origins import (Trust, admits_some_origin, attack_candidates, host_of, hosts_spelled,
                              is_serialized_origin, pattern_examples, potentially_trustworthy_http,
                              registrable_domain)


@pytest.mark.parametrize("value, ok", [
    ("https://app.example.com", True),
    ("http://localhost:3000", True),
    ("https://app.example.com/", False),        # trailing slash: never equals an Origin header
    ("https://a.example.com, https://b.example.com", False),
    ("https://*.example.com", False),
    ("null", False),
    ("app.example.com", False),
    ("http_origin", False),                     # a variable name missing its `$`
    ("http://[::1]:5173", True),                # an IPv6 literal
    ("chrome-extension://abcdefghijklmnopabcdefghijklmnop", True),
    ("moz-extension://0b9e8f5c-6c1e-4b33-9d0e-2f6c8a1d7e21", True),
    ("https://example.com_.evil.com", True),    # WHATWG allows `_` in a host: browsers send it
    ("https://app.example.com:443", False),     # the default port is never serialized
    ("https://app.example.com:08443", False),
    ("https://app.example.com:70000", False),
    ("https://App.example.com", False),         # hosts are serialized lower-case
    ("https://a..example.com", False),
    ("https://[::1", False),
])
def test_is_serialized_origin(value, ok):
    assert is_serialized_origin(value) is ok


@pytest.mark.parametrize("origin", [
    "http://localhost", "http://localhost:3000", "http://app.localhost:8080", "http://127.0.0.1",
    "http://127.1.2.3:5173", "http://[::1]", "http://[::1]:8080",
])
def test_loopback_origins_are_potentially_trustworthy(origin):
    assert potentially_trustworthy_http(origin)


@pytest.mark.parametrize("origin", [
    "http://192.168.1.106:3000", "http://localhost.evil.example", "http://127.0.0.1.evil.example",
    "http://127.0.0.256", "http://1270.0.0.1", "http://localhost:", "http://localhost:abc", "http://[::1]x",
    "https://evil.example", "http://" + "a" * 400 + ".localhost",
])
def test_other_origins_are_not_potentially_trustworthy_fp(origin):
    assert not potentially_trustworthy_http(origin)


def test_registrable_domain_uses_the_public_suffix_list():
    assert registrable_domain("api.eu.example.co.uk") == "example.co.uk"
    assert registrable_domain("a.b.example.com") == "example.com"
    assert registrable_domain("victim.user.github.io") == "user.github.io"          # private suffixes count
    assert registrable_domain("api.shop.xn--55qx5d.xn--j6w193g") == "shop.xn--55qx5d.xn--j6w193g"  # IDN rule


def test_hosts_spelled_by_a_pattern():
    assert hosts_spelled(r"^https://(.*\.)?example\.com$") == ("example.com",)
    assert hosts_spelled(r"^https?://(app|admin)\.corp\.example\.org(:\d+)?$") == ("corp.example.org",)


def test_trust_from_configuration_and_from_the_pattern():
    configured = Trust(["https://app.example.com", "https://*.partner.example"])
    assert configured.is_trusted("https://app.example.com")
    assert configured.is_trusted("https://x.partner.example")
    assert not configured.is_trusted("http://app.example.com")        # scheme matters
    assert not configured.is_trusted("https://evil.example")
    implicit = Trust()
    assert implicit.is_trusted("https://shop.example.com", r"example\.com$")
    assert not implicit.is_trusted("https://evilexample.com", r"example\.com$")
    assert not implicit.is_trusted("null", r"null")


@pytest.mark.parametrize("pattern, escaped", [
    (r"example\.com$", "https://evilexample.com"),                  # no label boundary
    (r"^https://app\.example\.com", "https://app.example.com.evil.example"),   # no end anchor
    (r"^https://app.example\.com$", "https://appxexample.com"),     # unescaped dot
])
def test_attack_candidates_find_the_classic_mistakes(pattern, escaped):
    candidates = attack_candidates(pattern)
    assert escaped in candidates
    assert all(re.search(pattern, c) for c in candidates)         # only what the pattern admits


def test_a_tight_pattern_admits_no_foreign_candidate():
    pattern = r"^https://(www\.|app\.)?example\.com$"
    trust = Trust()
    assert [c for c in attack_candidates(pattern) if not trust.is_trusted(c, pattern)] == []


def test_pattern_examples_prefer_https_and_match_the_pattern():
    examples = pattern_examples(r"^https?://(.*\.)?shop\.example\.com$")
    assert examples[0].startswith("https://")
    assert all(re.search(r"^https?://(.*\.)?shop\.example\.com$", e) for e in examples)


#: the pattern host_of once used, as the reference it must agree with
ORIGIN_PATTERN = (r"^(https?)://([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)"
                  r"(?::(\d{1,5}))?\Z")


@settings(max_examples=3000, derandomize=True, database=None)
@given(st.sampled_from(["", "http://", "https://", "HTTPS://", "ftp://", "https:/"]),
       st.text(alphabet="ab09-.:/Z_ \n٣", max_size=16))
def test_host_of_agrees_with_the_origin_grammar(prefix, rest):
    value = prefix + rest
    m = re.match(ORIGIN_PATTERN, value, re.ASCII)
    assert host_of(value) == (m.group(2) if m else None)
    if m and not value.endswith((":80", ":443")):
        assert is_serialized_origin(value) or ":0" in value or len(m.group(3) or "") == 5


@pytest.mark.parametrize("pattern, full, expected", [
    (r"^webvisor\.com([^/]+)?$", False, False),            # no scheme
    (r"^https?://example\.org/$", False, False),           # a path required
    (r"^https?://example\.org/", False, False),            # a `/` after the host, end anchor or not
    (r"^([^/:]+)?example\.com$", False, False),            # no `://` possible
    (r"^HTTPS://EXAMPLE\.COM$", False, False),             # origins are lower-case
    (r"https://docs\.example\.com/.*", True, False),       # Starlette's fullmatch
    (r"^https://webv.+isor\.com$", False, True),
    (r"example\.com", False, True),                        # a search: anything around it
    (r"example\.com", True, False),                        # a full match: no scheme
    (r"^http://\[::1\]:\d+$", False, True),
    (r"^chrome-extension://[a-p]{32}$", False, True),
    (r"^https://(?=x)", False, True),                      # a lookahead widens, never narrows
    (r"^https://(a|b)\1\.com$", False, True),              # a backreference: any text
    (r"^https://a{1000}\.com$", False, True),              # a large count reads as `*`
])
def test_admits_some_origin(pattern, full, expected):
    assert admits_some_origin(pattern, False, full) is expected


def test_a_case_insensitive_pattern_admits_the_lower_case_origin():
    assert admits_some_origin(r"^HTTPS://EXAMPLE\.COM$", True) is True


_FRAGMENTS = ["^", "$", "https?://", "https://", "http://", "[a-z]+", "[^/]+", "[^/:]+", ".", ".*", "/", ":",
              r"\.", "example", "com", r"(:[0-9]+)?", "(a|b)", "_", r"\d+", "?"]
_ORIGINS = ["https://example.com", "http://a.example.com:8080", "https://ab", "https://example.com_.evil.example",
            "http://[::1]:5173", "chrome-extension://abc", "https://b", "https://a", "http://examplecom", "https://_",
            "http://a:1", "https://example.a"]


@settings(max_examples=400, derandomize=True, database=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=7))
def test_no_origin_verdict_is_a_proof(parts):
    """Whenever the automaton says no origin matches, none of a set of
    origins of every shape does (the over-approximation never rules out
    too much)."""
    pattern = "".join(parts)
    try:
        compiled = re.compile(pattern)
    except re.error:
        return
    if admits_some_origin(pattern) is False:
        assert [o for o in _ORIGINS if compiled.search(o)] == []
    if admits_some_origin(pattern, full_match=True) is False:
        assert [o for o in _ORIGINS if compiled.fullmatch(o)] == []


def test_a_wildcard_inside_a_label_is_explored():
    assert "https://webvevil-isor.com" in attack_candidates(r"^https://webv.+isor\.com$")


def test_a_host_past_a_not_a_host_character_class_is_tried():
    candidates = attack_candidates(r"^https://([a-z0-9-]+\.)*example\.com([^.a-z0-9-].*)?$")
    assert {"https://example.com_.evil.example", "https://example.com!.evil.example",
            "https://example.com`.evil.example"} <= set(candidates)
