"""corslint rules: the registry of every rule, one module per rule.

`RULES` is the one table of rules, like yamllint's registry: per rule its
code and slug (the public contract: users write them in `--select`,
`--ignore`, configuration and suppression comments; `rules.md` in the
project's spec is the catalog), its default severity, its one-line summary
and the module that implements it.  A rule module holds its documentation
as the module docstring (first line: the summary; then *What it does*,
*Why is this bad?*, *Example*, *Use instead*, *References*, and for a rule
`corslint --fix` repairs *Automatic fix*) and `check(ctx)`, which yields
`Hit`s from the answers a `ProbeContext` gives.  Rules never look at
configuration syntax: the same check serves every input format.

A module is imported only when its `check` or `doc` is asked for: a lint
imports the rules it runs, `corslint rules` none.  The import goes through
`__import__`: importing `importlib` would import `warnings` on every
pre-commit run.
"""

from __future__ import annotations


class Rule:
    """One rule as the registry lists it; `check` and `doc` come from its
    module.  A plain class with slots: building the table is part of every
    run's start-up (a `record` costs five times as much to build)."""

    __slots__ = ("code", "name", "severity", "summary", "module")

    def __init__(self, code: str, name: str, severity: str, summary: str, module: str):
        self.code = code
        self.name = name
        self.severity = severity
        self.summary = summary
        self.module = module

    def load(self):
        """The rule's module, imported on first use."""
        return __import__(f"{__name__}.{self.module}", fromlist=["check"])

    @property
    def check(self):
        """`check(ctx)`: the rule's `Hit`s for one model's probes."""
        return self.load().check

    @property
    def doc(self) -> str:
        """The rule's documentation: its module's docstring."""
        return self.load().__doc__


#: every rule, ordered by code
RULES = (
    Rule("CORS101", "preflight-not-handled", "error",
         "CORS headers are sent, but no CORS-aware handler answers the preflight",
         "cors101_preflight_not_handled"),
    Rule("CORS102", "preflight-not-ok", "error",
         "The preflight is answered with a non-2xx status",
         "cors102_preflight_not_ok"),
    Rule("CORS103", "preflight-redirected", "error",
         "The preflight is answered with a redirect",
         "cors103_preflight_redirected"),
    Rule("CORS104", "preflight-missing-allow-origin", "error",
         "The preflight is answered 2xx but without Access-Control-Allow-Origin",
         "cors104_preflight_missing_allow_origin"),
    Rule("CORS105", "preflight-auth-required", "error",
         "Authentication applies to the preflight, which never carries credentials",
         "cors105_preflight_auth_required"),
    Rule("CORS201", "wildcard-with-credentials", "error",
         "Access-Control-Allow-Origin: * is sent with Access-Control-Allow-Credentials: true",
         "cors201_wildcard_with_credentials"),
    Rule("CORS202", "origin-reflected-with-credentials", "error",
         "The request Origin is reflected without validation while credentials are allowed",
         "cors202_origin_reflected_with_credentials"),
    Rule("CORS203", "origin-reflected", "warning",
         "The request Origin is reflected without validation",
         "cors203_origin_reflected"),
    Rule("CORS204", "null-origin-allowed", "error",
         "The origin null is allowed",
         "cors204_null_origin_allowed"),
    Rule("CORS205", "permissive-origin-pattern", "error",
         "An origin allow-list pattern matches origins outside the intended domains",
         "cors205_permissive_origin_pattern"),
    Rule("CORS206", "insecure-origin-scheme", "warning",
         "An http:// origin is trusted while credentials are allowed",
         "cors206_insecure_origin_scheme"),
    Rule("CORS207", "invalid-allow-origin-value", "error",
         "The Access-Control-Allow-Origin value can never match a request origin",
         "cors207_invalid_allow_origin_value"),
    Rule("CORS208", "invalid-allow-credentials-value", "error",
         "Access-Control-Allow-Credentials is anything but the exact string true",
         "cors208_invalid_allow_credentials_value"),
    Rule("CORS209", "wildcard-ignored-with-credentials", "warning",
         "A * in Allow-Methods, Allow-Headers or Expose-Headers is ignored with credentials",
         "cors209_wildcard_ignored_with_credentials"),
    Rule("CORS301", "methods-not-allowed", "error",
         "A method that clients need is missing from Access-Control-Allow-Methods",
         "cors301_methods_not_allowed"),
    Rule("CORS302", "headers-not-allowed", "error",
         "A request header that clients send is missing from Access-Control-Allow-Headers",
         "cors302_headers_not_allowed"),
    Rule("CORS303", "max-age-ignored", "info",
         "Access-Control-Max-Age is negative, not a number, or above what browsers honour",
         "cors303_max_age_ignored"),
    Rule("CORS401", "cors-header-stripped", "error",
         "A CORS header is removed on its way out and nothing adds it back",
         "cors401_cors_header_stripped"),
    Rule("CORS402", "duplicate-cors-header", "error",
         "A response can carry the same CORS header twice",
         "cors402_duplicate_cors_header"),
    Rule("CORS403", "inherited-cors-headers-dropped", "error",
         "A nested nginx level with its own add_header drops the inherited CORS headers",
         "cors403_inherited_cors_headers_dropped"),
    Rule("CORS404", "cors-headers-missing-on-errors", "warning",
         "CORS headers are only sent on success statuses, so errors are unreadable",
         "cors404_cors_headers_missing_on_errors"),
    Rule("CORS405", "missing-vary-origin", "warning",
         "Access-Control-Allow-Origin depends on the request Origin but Vary: Origin is not sent",
         "cors405_missing_vary_origin"),
    Rule("CORS406", "cors-headers-missing-on-redirect", "error",
         "The actual request is redirected without Access-Control-Allow-Origin",
         "cors406_cors_headers_missing_on_redirect"),
    Rule("CORS501", "middleware-order", "error",
         "The CORS middleware runs after a middleware that can answer first",
         "cors501_middleware_order"),
    Rule("CORS502", "config-rejected-at-startup", "error",
         "The framework refuses this CORS configuration when the application starts",
         "cors502_config_rejected_at_startup"),
    Rule("CORS503", "risky-platform-default", "warning",
         "A platform default silently creates a CORS problem",
         "cors503_risky_platform_default"),
    Rule("CORS504", "cors-configuration-not-applied", "warning",
         "CORS configuration is written but never applied: no response carries it",
         "cors504_cors_configuration_not_applied"),
)


def find(code_or_slug: str) -> Rule | None:
    """The rule for `CORS201` or `wildcard-with-credentials` (None if unknown)."""
    wanted = code_or_slug.strip().lower()
    for rule in RULES:
        if rule.code.lower() == wanted or rule.name == wanted:
            return rule
    return None
