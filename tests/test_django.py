"""Django settings + django-cors-headers: extraction and semantics of the model."""

from __future__ import annotations

import textwrap

import pytest
from support import corslint
from corslint.apps.django.model import load
from corslint.config import Settings
from corslint.engine import lint
from corslint.model import Request

BASE = "https://app.example"
CORS_FIRST = 'MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"]\n'


def with_cors(text: str) -> str:
    """A settings module whose first line puts CorsMiddleware first."""
    return CORS_FIRST + textwrap.dedent(text)


def model(tmp_path, text: str, name: str = "settings.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return load(str(path), str(path))


def preflight(origin: str, path: str = "/api/x", **extra) -> Request:
    headers = (("origin", origin), ("access-control-request-method", "PUT"),
               ("access-control-request-headers", "content-type")) + tuple(extra.items())
    return Request("OPTIONS", BASE + path, headers)


def get(origin: str | None, path: str = "/api/x") -> Request:
    return Request("GET", BASE + path, (("origin", origin),) if origin else ())


def headers(answer) -> list[tuple[str, str | None]]:
    return [(h.name, h.value) for h in answer.headers]


def codes(tmp_path, text: str) -> set[tuple[int, str]]:
    path = tmp_path / "settings.py"
    path.write_text(textwrap.dedent(text))
    report = lint([str(path)], Settings())
    assert not report.errors, [str(e) for e in report.errors]
    return {(f.line, f.code) for f in report.findings}


# -- extraction --------------------------------------------------------------------------------
def test_new_name_wins_over_pre4_alias(tmp_path):
    m = model(tmp_path, with_cors("""
        CORS_ORIGIN_ALLOW_ALL = True
        CORS_ALLOW_ALL_ORIGINS = False
        CORS_ORIGIN_WHITELIST = ["https://old.example"]
    """))
    assert m.cors.settings["allow_all"].value is False
    assert m.cors.settings["origins"].name == "CORS_ORIGIN_WHITELIST"
    assert m.answer(get("https://evil.example")).values("access-control-allow-origin") == []
    assert m.answer(get("https://old.example")).values("access-control-allow-origin") == ["https://old.example"]


def test_defaults_import_list_concatenation_and_products(tmp_path):
    m = model(tmp_path, with_cors("""
        from corsheaders.defaults import default_headers as base_headers, default_methods
        CORS_ALLOWED_ORIGINS = ["https://a.example"]
        CORS_ALLOW_HEADERS = list(base_headers) + ["x-api-key"]
        CORS_ALLOW_METHODS = (*default_methods, "PURGE")
        CORS_PREFLIGHT_MAX_AGE = 60 * 60
    """))
    answer = m.answer(preflight("https://a.example"))
    assert answer.get("access-control-allow-headers") == ("accept, authorization, content-type, user-agent, "
                                                          "x-csrftoken, x-requested-with, x-api-key")
    assert answer.get("access-control-allow-methods") == "DELETE, GET, OPTIONS, PATCH, POST, PUT, PURGE"
    assert answer.get("access-control-max-age") == "3600"


def test_compiled_regexes_with_flags(tmp_path):
    m = model(tmp_path, with_cors("""
        import re
        CORS_ALLOWED_ORIGIN_REGEXES = [re.compile(r"^https://APP\\.example\\.com$", re.I)]
        CORS_URLS_REGEX = re.compile(r"^/(api|graphql)/")
    """))
    assert m.answer(get("https://app.example.com", "/graphql/")).get("access-control-allow-origin") == \
        "https://app.example.com"
    (pattern,) = m.scopes()[0].origin_patterns
    assert pattern.ignore_case and pattern.source.line == 4
    assert m.scopes()[0].url == BASE + "/api/"


def test_middleware_insert_and_append(tmp_path):
    m = model(tmp_path, """
        MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
        MIDDLEWARE.insert(0, "corsheaders.middleware.CorsMiddleware")
        MIDDLEWARE.append("django.middleware.locale.LocaleMiddleware")
        CORS_ALLOWED_ORIGINS = ["https://a.example"]
    """)
    assert [n.rsplit(".", 1)[1] for n, _ in m.middleware] == ["CorsMiddleware", "CommonMiddleware",
                                                              "LocaleMiddleware"]
    assert m.anchor.line == 3
    assert not list(m.facts())


def test_star_import_and_environment_make_settings_unknown(tmp_path):
    m = model(tmp_path, """
        import os
        from .base import *
        CORS_ALLOWED_ORIGINS = os.environ["CORS_ORIGINS"].split(",")
    """)
    answer = m.answer(get("https://a.example", "/"))
    assert not answer.certain
    assert answer.values("access-control-allow-origin") == [None]
    assert answer.values("access-control-allow-credentials") == [None]   # may come from base.py


def test_conditional_settings_are_unknown(tmp_path):
    m = model(tmp_path, with_cors("""
        import os
        DEBUG = os.environ.get("DEBUG") == "1"
        if DEBUG:
            CORS_ALLOW_ALL_ORIGINS = True
        CORS_ALLOWED_ORIGINS = ["https://a.example"]
    """))
    hostile = m.answer(get("https://evil.example"))
    assert hostile.values("access-control-allow-origin") == [None] and not hostile.certain
    assert m.answer(get("https://a.example")).values("access-control-allow-origin") == [None]


def test_syntax_error_is_an_input_error(tmp_path):
    m = model(tmp_path, "CORS_ALLOWED_ORIGINS = [\n  oops oops\n]\n")
    (error,) = m.parsed.errors
    assert error.line == 2 and "syntax" in error.message
    assert m.scopes() == []


def test_syntax_error_exits_2_without_traceback(tmp_path):
    path = tmp_path / "settings.py"
    path.write_text("import corsheaders\nCORS_ALLOWED_ORIGINS = [\n")
    run = corslint(str(path))
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and f"{path}:" in run.stderr


def test_linting_never_imports_or_runs_the_settings(tmp_path):
    marker = tmp_path / "executed"
    path = tmp_path / "settings.py"
    path.write_text(textwrap.dedent(f"""
        import pathlib
        pathlib.Path({str(marker)!r}).write_text("ran")
        raise SystemExit("settings were executed")
        import corsheaders
        CORS_ALLOW_ALL_ORIGINS = True
        CORS_ALLOW_CREDENTIALS = True
    """))
    report = lint([str(path)], Settings())
    assert not marker.exists()
    assert "CORS202" in {f.code for f in report.findings}


# -- semantics ----------------------------------------------------------------------------------
def test_preflight_is_answered_by_the_middleware_for_any_origin(tmp_path):
    m = model(tmp_path, CORS_FIRST + 'CORS_ALLOWED_ORIGINS = ["https://a.example"]\n')
    allowed = m.answer(preflight("https://a.example"))
    assert (allowed.status, allowed.handler) == (200, "middleware")
    assert headers(allowed) == [
        ("vary", "origin"), ("access-control-allow-origin", "https://a.example"),
        ("access-control-allow-headers",
         "accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with"),
        ("access-control-allow-methods", "DELETE, GET, OPTIONS, PATCH, POST, PUT"),
        ("access-control-max-age", "86400")]
    denied = m.answer(preflight("https://evil.example"))
    assert (denied.status, denied.handler, headers(denied)) == (200, "middleware", [("vary", "origin")])


def test_allow_all_sends_star_but_reflects_with_credentials(tmp_path):
    star = model(tmp_path, CORS_FIRST + "CORS_ALLOW_ALL_ORIGINS = True\n")
    assert star.answer(get("https://evil.example")).get("access-control-allow-origin") == "*"
    reflect = model(tmp_path, CORS_FIRST + "CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_CREDENTIALS = True\n")
    answer = reflect.answer(get("https://evil.example"))
    assert headers(answer) == [("vary", "origin"), ("access-control-allow-origin", "https://evil.example"),
                               ("access-control-allow-credentials", "true")]
    assert answer.lines("access-control-allow-origin")[0].source.line == 2


def test_urls_regex_disables_cors_elsewhere(tmp_path):
    m = model(tmp_path, CORS_FIRST + 'CORS_ALLOW_ALL_ORIGINS = True\nCORS_URLS_REGEX = r"^/api/.*$"\n')
    outside = m.answer(preflight("https://a.example", "/admin/"))
    assert (outside.handler, outside.headers) == ("app", [])
    assert m.scopes()[0].url == BASE + "/api/"


def test_options_without_request_method_reaches_the_view_with_allow_lists(tmp_path):
    m = model(tmp_path, CORS_FIRST + 'CORS_ALLOWED_ORIGINS = ["https://a.example"]\nCORS_PREFLIGHT_MAX_AGE = 0\n')
    answer = m.answer(Request("OPTIONS", BASE + "/x", (("origin", "https://a.example"),)))
    assert answer.handler == "app"
    assert answer.has("access-control-allow-methods") and not answer.has("access-control-max-age")


def test_origin_matching_quirks(tmp_path):
    m = model(tmp_path, with_cors("""
        CORS_ALLOWED_ORIGINS = [
            "https://path.example/app/",
            "https://port.example:443",
            "schemeless.example",
        ]
        CORS_ALLOWED_ORIGIN_REGEXES = [r"https://\\w+\\.good\\.example"]
    """))
    acao = lambda o: m.answer(get(o)).values("access-control-allow-origin")
    assert acao("https://path.example") == ["https://path.example"]      # scheme + netloc only
    assert acao("https://port.example") == []                           # netloc compared as a string
    assert acao("null") == ["null"]                                      # '' scheme and netloc
    assert m.answer(get("null")).lines("access-control-allow-origin")[0].source.line == 6
    assert acao("https://a.good.example.evil.net") == ["https://a.good.example.evil.net"]   # re.match
    assert acao("http://x.example/https://a.good.example") == []


def test_string_setting_is_joined_character_by_character(tmp_path):
    m = model(tmp_path, CORS_FIRST + 'CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_HEADERS = "accept"\n')
    assert m.answer(preflight("https://a.example")).get("access-control-allow-headers") == "a, c, c, e, p, t"


def test_set_valued_lists_have_unknown_order(tmp_path):
    m = model(tmp_path, CORS_FIRST + 'CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_METHODS = {"GET", "PUT"}\n')
    answer = m.answer(preflight("https://a.example"))
    assert answer.values("access-control-allow-methods") == [None] and not answer.certain


def test_private_network_access(tmp_path):
    m = model(tmp_path, CORS_FIRST + 'CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_PRIVATE_NETWORK = True\n')
    answer = m.answer(preflight("https://a.example", **{"access-control-request-private-network": "true"}))
    assert answer.get("access-control-allow-private-network") == "true"
    assert not m.answer(preflight("https://a.example")).has("access-control-allow-private-network")


def test_vary_from_locale_middleware_in_order(tmp_path):
    m = model(tmp_path, """
        MIDDLEWARE = [
            "django.middleware.locale.LocaleMiddleware",
            "corsheaders.middleware.CorsMiddleware",
            "django.middleware.locale.LocaleMiddleware",
        ]
    """)
    assert m.answer(get("https://a.example")).values("vary") == ["Accept-Language, origin"]
    m = model(tmp_path, """
        MIDDLEWARE = ["django.middleware.locale.LocaleMiddleware", "corsheaders.middleware.CorsMiddleware"]
        CORS_ALLOW_ALL_ORIGINS = True
    """)
    assert m.answer(preflight("https://a.example")).values("vary") == ["origin, Accept-Language"]


def test_cors_middleware_missing_from_middleware(tmp_path):
    m = model(tmp_path, 'MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]\nCORS_ALLOW_ALL_ORIGINS = True\n')
    assert m.answer(preflight("https://a.example")).headers == []
    assert not m.scopes()[0].emits_cors


# -- facts ------------------------------------------------------------------------------------------
def test_middleware_order_fact(tmp_path):
    found = codes(tmp_path, """
        MIDDLEWARE = [
            "django.middleware.common.CommonMiddleware",
            "corsheaders.middleware.CorsMiddleware",
        ]
        CORS_ALLOWED_ORIGINS = ["https://a.example"]
        CORS_PREFLIGHT_MAX_AGE = 600
    """)
    assert found == {(4, "CORS501")}


@pytest.mark.parametrize("setting, check", [
    ('CORS_ALLOW_HEADERS = ["a", 1]', "E001"),
    ('CORS_ALLOW_METHODS = {"GET"}', "E002"),
    ("CORS_ALLOW_CREDENTIALS = 1", "E003"),
    ("CORS_PREFLIGHT_MAX_AGE = -1", "E004"),
    ('CORS_ORIGIN_ALLOW_ALL = "yes"', "E005"),
    ('CORS_ALLOWED_ORIGINS = {"https://a.example"}', "E006"),
    ('CORS_ALLOWED_ORIGIN_REGEXES = [1]', "E007"),
    ('CORS_EXPOSE_HEADERS = {"etag": 1}', "E008"),
    ("CORS_URLS_REGEX = 1", "E009"),
    ("CORS_MODEL = 'x.Y'", "E012"),
    ('CORS_ALLOWED_ORIGINS = ["app.example"]', "E013"),
    ('CORS_ALLOWED_ORIGINS = ["https://app.example?x=1"]', "E014"),
])
def test_system_checks(tmp_path, setting, check):
    m = model(tmp_path, CORS_FIRST + setting + "\n")
    facts = [f for f in m.facts() if type(f).__name__ == "RejectedAtStartup"]
    assert [f"corsheaders.{check}" in f.message for f in facts] == [True]
    assert facts[0].source.line == 2


def test_checks_need_corsheaders_in_installed_apps(tmp_path):
    m = model(tmp_path, CORS_FIRST + 'INSTALLED_APPS = ["django.contrib.auth"]\nCORS_ALLOWED_ORIGINS = ["x"]\n')
    assert list(m.facts()) == []


def test_allowed_origins_match_null_and_pointed_at_entries(tmp_path):
    found = codes(tmp_path, with_cors("""
        CORS_ALLOWED_ORIGINS = [
            "https://a.example",
            "a.example",
        ]
        CORS_PREFLIGHT_MAX_AGE = 600
    """))
    assert found == {(5, "CORS502"), (5, "CORS204")}


def test_a_package_default_max_age_is_not_reported(tmp_path):
    # 86400 is above Chromium's cap, but it is django-cors-headers' choice, not this file's
    assert codes(tmp_path, CORS_FIRST + 'CORS_ALLOWED_ORIGINS = ["https://a.example"]\n') == set()
