"""django-cors-headers' system checks (corsheaders/checks.py, 4.x), applied to known values.

The package registers `check_settings` from its AppConfig, so every
`manage.py` command that runs checks (runserver, migrate, check) stops on
these errors.  Each becomes a `RejectedAtStartup` fact (CORS502) at the
setting's line, or at the offending entry's line for origins.  Values the
linter cannot know are never judged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from ...code.values import is_unknown
from ...model import RejectedAtStartup, Source
from .cors import CorsMiddleware, Setting
from .source import MISSING, SettingsModule

#: the origins the check lets through without a scheme and host
SPECIAL_ORIGINS = ("null", "file://")
#: (setting key, check id, what the value must be, accepted element types)
SEQUENCE_CHECKS = (
    ("headers", "E001", "a sequence of strings", (str,)),
    ("methods", "E002", "a sequence of strings", (str,)),
    ("regexes", "E007", "a sequence of strings and/or compiled regexes", (str, re.Pattern)),
    ("expose", "E008", "a sequence", (str,)),
)
BOOL_CHECKS = (("credentials", "E003"), ("private_network", "E015"), ("allow_all", "E005"))
REMOVED = (("CORS_MODEL", "E012"), ("CORS_REPLACE_HTTPS_REFERER", "E013"))


def checks_registered(module: SettingsModule) -> bool:
    """django-cors-headers registers its system checks from its AppConfig:
    only when `corsheaders` is in INSTALLED_APPS (or that is not known here)."""
    apps, _line = module.setting("INSTALLED_APPS")
    if apps is MISSING or is_unknown(apps) or not isinstance(apps, (list, tuple)):
        return True
    return any(a in ("corsheaders", "corsheaders.apps.CorsHeadersAppConfig") or is_unknown(a) for a in apps)


def startup_errors(cors: CorsMiddleware, module: SettingsModule):
    """What check_settings reports for these settings, as facts at their lines."""
    s = cors.settings
    for key, check, what, types in SEQUENCE_CHECKS:
        if _set_here(s[key]) and _is_sequence(s[key], types) is False:
            yield _fact(cors, s[key].line, check, f"{s[key].name} should be {what}.")
    for key, check in BOOL_CHECKS:
        value = s[key].value
        if _set_here(s[key]) and not isinstance(value, bool):
            yield _fact(cors, s[key].line, check, f"{s[key].name} should be a bool.")
    max_age = s["max_age"]
    if _set_here(max_age) and (not isinstance(max_age.value, int) or max_age.value < 0):
        yield _fact(cors, max_age.line, "E004", "CORS_PREFLIGHT_MAX_AGE should be an integer greater than or equal "
                                               "to zero.")
    urls = s["urls"]
    if _set_here(urls) and not isinstance(urls.value, (str, re.Pattern)):
        yield _fact(cors, urls.line, "E009", "CORS_URLS_REGEX should be a string or regex.")
    yield from _origin_errors(cors, s["origins"])
    for name, check in REMOVED:
        if name in module.bindings:
            yield _fact(cors, module.binding_lines[name], check, f"The {name} setting has been removed.")


def _origin_errors(cors: CorsMiddleware, origins: Setting):
    if not _set_here(origins):
        return
    sequence = _is_sequence(origins, (str,))
    if sequence is False:
        yield _fact(cors, origins.line, "E006", f"{origins.name} should be a sequence of strings.")
        return
    if sequence is None:
        return
    entries = [(ch, origins.line) for ch in origins.value] if isinstance(origins.value, str) \
        else zip(origins.value, origins.entries)
    for origin, line in entries:
        if is_unknown(origin) or origin in SPECIAL_ORIGINS:
            continue
        try:
            parsed = urlsplit(origin)
        except ValueError as exc:
            yield _fact(cors, line, "crash", f"urlsplit({origin!r}) raises ValueError ({exc}), so the check "
                                            f"itself crashes.")
            continue
        if parsed.scheme == "" or parsed.netloc == "":
            extra = " (the whole string is read character by character: it must be a list)" \
                if isinstance(origins.value, str) else ""
            yield _fact(cors, line, "E013", f"Origin {origin!r} in {origins.name} is missing scheme or netloc"
                                           f"{extra}. Add a scheme (e.g. https://) or netloc (e.g. example.com).")
            if extra:
                return
            continue
        for part in ("path", "query", "fragment"):
            if getattr(parsed, part) != "":
                yield _fact(cors, line, "E014", f"Origin {origin!r} in {origins.name} should not have {part}.")


def _set_here(setting: Setting) -> bool:
    """Assigned in this file to a known value (defaults always pass)."""
    return setting.line is not None and not is_unknown(setting.value)


def _is_sequence(setting: Setting, types: tuple) -> bool | None:
    """checks.is_sequence: a Sequence (a list, tuple or str; not a set or
    dict) of `types`; None when an unknown entry decides it."""
    value = setting.value
    if setting.is_set or not isinstance(value, Sequence):
        return False
    if any(not is_unknown(v) and not isinstance(v, types) for v in value):
        return False
    return None if any(is_unknown(v) for v in value) else True


def _fact(cors: CorsMiddleware, line: int | None, check: str, text: str) -> RejectedAtStartup:
    label = "the check crashes" if check == "crash" else f"system check corsheaders.{check}"
    return RejectedAtStartup(Source(cors.path, line or cors.anchor.line),
                             f"django-cors-headers rejects this at startup ({label}): {text} "
                             f"manage.py runserver, migrate and check stop with this error")
