"""Real-world nginx configurations from ../shared/corpus, linted in place.

The corpus is third-party data kept next to the repository (never copied into
it).  Two kinds of test:

* every nginx file the corpus manifests list lints without a crash and
  without an input error (exit status 0 or 1), except the one file nginx
  itself could not load either;
* for files whose findings were checked by reading the configuration, the
  exact set of (line, code) findings is pinned, each with the reason it is
  right.

Without ../shared the tests skip with a visible reason; on CI (CI=true) they
fail instead, so a missing corpus never passes silently.
"""

from __future__ import annotations

import json

import pytest
from support import corslint


from corpus_files import MISSING, REPO, lint_corpus_file, manifest_files, require_corpus

NGINX_FILES = manifest_files("nginx")

#: Templates (ERB here) that only parse once rendered: rendered (linter/templates)
#: and linted like any other file.
TEMPLATES = {
    "nginx-misc/openstreetmap__chef__cookbooks__imagery__templates__default__nginx_imagery_layer_fragment.conf.erb",
}


def lint_one(rel: str):
    return lint_corpus_file(rel, "nginx")


# -- every nginx file -------------------------------------------------------------

def test_manifests_list_the_nginx_files():
    require_corpus()
    assert len(NGINX_FILES) >= 40, NGINX_FILES
    assert set(TEMPLATES) <= set(NGINX_FILES)


@pytest.mark.parametrize("rel", NGINX_FILES)
def test_nginx_file_lints_without_error(rel):
    path, report = lint_one(rel)
    assert report.errors == [], [str(e) for e in report.errors]
    if rel in TEMPLATES:    # rendered: nothing skipped, the fragment's CORS lines judged
        assert report.skipped == [] and report.files >= 1


def test_cli_exit_status_on_whole_corpus():
    """The command line, as a user runs it: no traceback, no error, status
    0 or 1 (findings only), no template skipped (they are rendered)."""
    root = require_corpus()
    every = [str(root / rel) for rel in NGINX_FILES]
    run = corslint("--type", "nginx", "--format", "json", *every, cwd=REPO, timeout=300)
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode in (0, 1), run.stderr
    payload = json.loads(run.stdout)
    assert payload["errors"] == []
    # nothing is skipped (templates are rendered); includes not read (`/etc/nginx/conf.d/*.conf`) are notices
    assert payload.get("skipped", []) == [], payload["skipped"]
    assert all(n["line"] and ": not read: " in n["message"] for n in payload.get("notices", [])), payload["notices"]


# -- pinned findings, each checked by reading the configuration --------------------------

PINNED: dict[str, set[tuple[int, str]]] = {
    "nginx-misc/APSL__docker-thumbor__nginx__nginx.conf": {
        (61, "CORS201"),  # server-level ACAO '*' + ACAC 'true' (line 62), inherited by /healthcheck
        (61, "CORS404"),  # the same ACAO has no `always`; /healthcheck proxies to thumbor, so its errors lose it
        (71, "CORS403"),  # `add_header Vary Accept` in the thumbnail location drops all four server CORS lines
        (84, "CORS101"),  # /healthcheck inherits ACAO but proxy_passes OPTIONS to thumbor: nginx owns CORS there
        (95, "CORS403"),  # @fetch: `if ($args ~* download)` with its own add_header drops the inherited CORS lines
        (99, "CORS403"),  # @fetch: same for the `download_filename` if
    },
    # the only allowed origin is http://localhost:3000 with ACAC 'true' (line 4): a loopback
    # origin is potentially trustworthy (Secure Contexts §3.1), so CORS206 stays silent
    "nginx-misc/DEFRA__forms-submission-api__cors.conf": set(),
    "nginx-misc/MaastrichtU-IDS__nginx-cors__cors_support": {
        (5, "CORS201"),   # ACAO '*' with ACAC 'true' (line 6) on every response
        (12, "CORS201"),  # the OPTIONS if repeats ACAO '*' + ACAC 'true' (line 13) on the preflight
        (16, "CORS303"),  # preflight Max-Age 1728000
    },
    "nginx-misc/beam-australia__laravel-docker__nginx__cors.conf": {
        (1, "CORS201"),   # ACAO '*' with ACAC 'true' (line 2)
        (8, "CORS201"),   # the OPTIONS if repeats ACAO '*' + ACAC 'true' (line 9)
        (14, "CORS303"),  # preflight Max-Age 1728000
    },
    "nginx-misc/uduwerella__mage2-nginx__nginx__cors.conf": {
        (3, "CORS201"),   # `set $cors 'true'` makes the first if always match: ACAO '*' + ACAC 'true' (line 4)
        (9, "CORS201"),   # OPTIONS (the last matching if, it returns 204): ACAO '*' + ACAC 'true' (line 10)
        (12, "CORS303"),  # preflight Max-Age 1728000
    },
    "nginx-misc/massbitprotocol__massbitroute__cors.conf": {
        (2, "CORS403"),  # the OPTIONS if adds ACAO/ACAM/ACAH/Max-Age but not ACAC: the outer ACAC (line 12) is
                         # dropped from the preflight, so credentialed preflights fail
        (5, "CORS303"),  # preflight Max-Age 1728000
    },
    "nginx-misc/natureshare__natureshare-files__cors.conf": {
        (20, "CORS303"),  # preflight Max-Age 1728000
        (34, "CORS404"),  # GET if: ACAO '*' without `always`; the location answers preflights (OPTIONS if)
    },
    "nginx-misc/RelistenNet__relisten-audio__nginx.conf": {
        (112, "CORS303"),  # @cors_preflight (reached via `return 469` + error_page) sends Max-Age 1728000
    },
    "nginx-misc/sonhaichu-wk__conf__nginx__cors.conf": {
        (23, "CORS202"),  # `set $cors "true"` unconditionally, so GET gets ACAO "$http_origin" + ACAC 'true'
        (23, "CORS405"),  # that reflected ACAO has no `Vary: Origin` anywhere
    },
    "nginx-misc/nymous__nginx-conf__snippets__cors.conf": {
        (19, "CORS205"),  # ~* 'https?://((api|dev|www|piwik)\.)?wikijourney\.eu' has no anchors:
                          # https://wikijourney.eu.evil.example matches and is reflected with credentials
        (25, "CORS206"),  # `https?` also admits http://wikijourney.eu, reflected with ACAC 'true' (line 26)
        (25, "CORS405"),  # ACAO "$http_origin" depends on the Origin; no Vary header is sent
    },
    "enable-cors-org/server_nginx.conf": {
        (15, "CORS303"),  # the canonical snippet's preflight Max-Age 1728000
    },
    "nginx-misc/nypublicradio__gothamist-web-client__nginx__cors.conf": {
        (22, "CORS303"),  # preflight Max-Age 1728000 (Vary: Origin is present, so no CORS405)
    },
    "nginx-misc/Sefaria__Sefaria-Project__nginx__cors.conf": {
        (6, "CORS303"),  # preflight Max-Age 1728000
    },
    "nginx-misc/ajayyy__SponsorBlockServer__nginx__cors.conf": {
        (6, "CORS303"),  # Max-Age 86400 ("24 hours"): above Chromium's 7200 s cap
    },
    "nginx-misc/caffeinalab__nginx-proxy__cors.conf": {
        (6, "CORS303"),  # preflight Max-Age 1728000; the OPTIONS if returns before `if ($http_origin)` runs
    },
}


@pytest.mark.parametrize("rel", sorted(PINNED))
def test_pinned_findings(rel):
    path, report = lint_one(rel)
    assert report.errors == [], [str(e) for e in report.errors]
    assert all(f.path == path for f in report.findings)
    assert {(f.line, f.code) for f in report.findings} == PINNED[rel]


def test_at_least_ten_files_are_pinned():
    assert len(PINNED) >= 10
    assert set(PINNED) <= set(NGINX_FILES) or NGINX_FILES == [MISSING]
