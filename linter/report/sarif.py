"""SARIF 2.1.0 (`--format sarif`): for GitHub code scanning and other
review tools, with the properties GitHub's SARIF support documents.

- `tool.driver` links the project (`informationUri`); `tool.driver.rules`
  describes every rule from its doc (summary, *What it does*, the whole doc
  as help text and Markdown, default level) with `helpUri` to its page
  (`[tool.corslint] docs-url`, by default the repository's docs/rules/) and
  tags by what the rule is about: `security` for an exposure (SECURITY
  below, which also gives its `security-severity`: GitHub lists a result as
  a security alert only then), `correctness` for a configuration that breaks
  what the site needs.
- Each result points at the offending line at the file's real path relative
  to the base (paths.py: the repository's top level, `--base DIR`) under
  `%SRCROOT%` (a file outside the base: an absolute file URI), once per real
  file, line and rule.  Its related lines are `relatedLocations` that the
  message links (`[text](id)`, the only way GitHub shows them), its
  machine-applicable edits `fixes`, and `partialFingerprints` carries
  `primaryLocationLineHash` computed as GitHub's upload action computes it
  (linehash.py): the alert survives lines added above it.
- Input errors become `toolExecutionNotifications` of the invocation, which
  then is not `executionSuccessful`; includes not read, the system files
  the repository does not hold and the mappings used are notifications at
  level note (an include's at its line).
- Artifact URIs percent-encode the path's bytes (a name that is not UTF-8
  too); message texts are escaped (display.py), so the report holds no
  control character and no lone surrogate for code scanning to reject.
"""

from __future__ import annotations

import json
import os
from urllib.parse import quote

from .. import REPOSITORY, __version__
from ..display import json_text, text as _text
from .paths import Base

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}

#: The exposure rules: a finding means a site the owner did not mean can read
#: the API's responses.  Each carries a CVSS 3.1 base score (GitHub: 9.0 and
#: up critical, 7.0 high, 4.0 medium, below low) for the vector written
#: beside it, and why.  Every attack needs the victim to open the
#: attacker's page (UI:R); what is read is the victim's data (C:H), and with
#: it CSRF tokens, so the page can act as the victim (I:H) where credentials
#: are certain.  The other rules are `correctness`: CORS201, CORS207,
#: CORS208, CORS209 and CORS503 (ingress-nginx's default is CORS201) are
#: configurations browsers reject, so nothing is shared; CORS203 lets every
#: site read exactly what `*` would (its harms are caches and hidden intent);
#: CORS405 hands a cached answer to the wrong origin, which the browser then
#: blocks; the 1xx, 3xx, 4xx and 5xx rules break calls the site needs.
SECURITY = {
    # any page the victim opens reads the API with the victim's session
    "CORS202": ("8.1", "AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N"),
    # any page, from a sandboxed iframe (Origin: null); as CORS202 with
    # credentials, but the rule also fires without them (then only what `*` shows)
    "CORS204": ("7.1", "AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:L/A:N"),
    # the attacker registers a name the pattern admits (a domain and a free
    # certificate); with or without credentials, as CORS204
    "CORS205": ("7.1", "AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:L/A:N"),
    # as CORS202, but only for an attacker on the user's network path (AC:H)
    "CORS206": ("6.8", "AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N"),
}
#: CWE-942: Permissive Cross-domain Policy with Untrusted Domains (GitHub shows `external/cwe/` tags)
SECURITY_TAGS = ["cors", "security", "external/cwe/cwe-942"]


def _quote(path: str) -> str:
    """The path's bytes (as the file system has them) percent-encoded, `/` kept."""
    return quote(os.fsencode(path.replace(os.sep, "/")))


def _file_uri(path: str) -> str:
    return "file://" + _quote(os.path.abspath(path) + ("/" if os.path.isdir(path) else ""))


def _location(path: str, base: Base) -> dict:
    """artifactLocation: the real path relative to the base when it lies
    there, an absolute file URI of the path as named otherwise."""
    rel = base.relative(path)
    if rel is None:
        return {"uri": _file_uri(path)}
    return {"uri": _quote(rel), "uriBaseId": "%SRCROOT%"}


def _region(path: str, line: int | None, column: int | None = None, end_line: int | None = None) -> dict:
    from ..edits import line_text

    region: dict = {"startLine": max(1, line or 1)}
    text = line_text(path, region["startLine"])
    if column:
        region["startColumn"] = column
    elif text is not None and text.strip():
        region["startColumn"] = len(text) - len(text.lstrip()) + 1
    if end_line and end_line >= region["startLine"]:
        region["endLine"] = end_line
    else:
        region["endLine"] = region["startLine"]
        if text is not None and text.strip():
            end = len(text.rstrip()) + 1
            if end > region.get("startColumn", 1):
                region["endColumn"] = end
    if text is not None:
        region["snippet"] = {"text": text}
    return region


def _physical(path: str, base: Base, line: int | None, column: int | None = None,
              end_line: int | None = None) -> dict:
    return {"physicalLocation": {"artifactLocation": _location(path, base),
                                 "region": _region(path, line, column, end_line)}}


def _rule(rule, docs_url: str | None) -> dict:
    from .. import ruledocs

    security = SECURITY.get(rule.code)
    properties: dict = {"tags": SECURITY_TAGS if security else ["cors", "correctness"], "precision": "high"}
    if security:
        properties["security-severity"] = security[0]
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": ruledocs.what_it_does(rule)},
        "help": {"text": ruledocs.text(rule), "markdown": ruledocs.markdown(rule)},
        "helpUri": ruledocs.rule_url(rule.code, docs_url),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties,
    }


def _fix(finding, base: Base) -> dict:
    by_path: dict[str, list] = {}
    for edit in finding.edits:
        by_path.setdefault(edit.path, []).append(edit)
    changes = []
    for path, edits in by_path.items():
        replacements = [{"deletedRegion": {"startLine": e.line, "startColumn": e.start + 1,
                                           "endLine": e.line, "endColumn": e.end + 1},
                         "insertedContent": {"text": e.new}} for e in sorted(edits, key=lambda e: (e.line, e.start))]
        changes.append({"artifactLocation": _location(path, base), "replacements": replacements})
    return {"description": {"text": _text(finding.fix or "corslint --fix")}, "artifactChanges": changes}


def _plain(value: str) -> str:
    """Message text (escaped, display.py) with its square brackets escaped:
    in a SARIF message `[text](id)` is a link, a literal bracket `\\[`."""
    return _text(value).replace("[", "\\[").replace("]", "\\]")


def _message(finding) -> str:
    """The finding's message, its request, and a link to each related line
    (`[what it is](id)`: GitHub shows a related location only when the
    message links it)."""
    text = _plain(finding.message.rstrip())
    if finding.request:
        text += f" (request: {_plain(finding.request)})"
    if finding.related:
        text += " Related: " + ", ".join(f"[{_plain(r.message)}]({n})"
                                         for n, r in enumerate(finding.related, start=1)) + "."
    return text


def _result(finding, index: dict, base: Base, hashes: dict) -> dict:
    result = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [_physical(finding.path, base, finding.line, finding.column, finding.end_line)],
    }
    line_hash = hashes.get(base.real(finding.path), {}).get(max(1, finding.line or 1))
    if line_hash:
        result["partialFingerprints"] = {"primaryLocationLineHash": line_hash}
    if finding.related:
        result["relatedLocations"] = [{"id": n, **_physical(r.path, base, r.line), "message": {"text": _text(r.message)}}
                                      for n, r in enumerate(finding.related, start=1)]
    if finding.fix:
        result["properties"] = {"fix": _text(finding.fix)}
    if finding.edits:
        result["fixes"] = [_fix(finding, base)]
    return result


def _line_hashes(findings: list, base: Base) -> dict[str, dict[int, str]]:
    """{real path: {line: primaryLocationLineHash}} for the findings' lines,
    each file read once (confine.read: bounded, never through a swapped link)."""
    from ..confine import read
    from .linehash import hashes

    wanted: dict[str, tuple[str, set[int]]] = {}
    for f in findings:
        wanted.setdefault(base.real(f.path), (f.path, set()))[1].add(max(1, f.line or 1))
    out = {}
    for real, (path, lines) in wanted.items():
        try:
            out[real] = hashes(read(path), lines)
        except OSError:
            continue
    return out


def _notification(error, base: Base) -> dict:
    out = {"level": "error", "message": {"text": _text(error.message)}, "descriptor": {"id": "input-error"}}
    if error.path:
        out["locations"] = [_physical(error.path, base, error.line, error.column)] if error.line else \
            [{"physicalLocation": {"artifactLocation": _location(error.path, base)}}]
    return out


def _notes(report, base: Base) -> list[dict]:
    """Notifications at level note: the includes not read (at their line),
    the system files the repository does not hold, the mappings used."""
    from .text import quiet_line

    out = []
    for n in report.notices:
        note = {"level": "note", "message": {"text": _text(n.message)}, "descriptor": {"id": "include-not-read"}}
        if n.path:
            note["locations"] = [_physical(n.path, base, n.line)] if n.line else \
                [{"physicalLocation": {"artifactLocation": _location(n.path, base)}}]
        out.append(note)
    if report.quiet:
        out.append({"level": "note", "message": {"text": _text(quiet_line(report.quiet))},
                    "descriptor": {"id": "system-files-not-read"}})
    out += [{"level": "note", "message": {"text": f"includes read through the mapping {_text(m.shown())}"},
             "descriptor": {"id": "mapping-used"}} for m in report.mappings]
    return out


def render(report, base: Base | None = None, docs_url: str | None = None) -> str:
    """The SARIF log of `report`, paths relative to `base` (paths.py's
    default when None), rule pages under `docs_url` (ruledocs.rule_url)."""
    from corslint.rules import RULES

    base = base or Base.find()
    index = {rule.code: n for n, rule in enumerate(RULES)}
    findings = base.unique(report.findings)
    hashes = _line_hashes(findings, base)
    invocation = {"executionSuccessful": not report.errors,
                  "workingDirectory": {"uri": _file_uri(os.getcwd()).rstrip("/") + "/"}}
    notifications = [_notification(e, base) for e in report.errors]
    notifications += [{"level": "note", "message": {"text": f"skipped: {_text(reason)}"},
                       "locations": [{"physicalLocation": {"artifactLocation": _location(path, base)}}]}
                      for path, reason in report.skipped]
    notifications += _notes(report, base)
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    if report.unused_suppressions:
        invocation["toolConfigurationNotifications"] = [
            {"level": "warning", "descriptor": {"id": "unused-suppression"},
             "message": {"text": f"unused suppression ({_text(', '.join(s.codes)) if s.codes else 'all'}): "
                                 f"it matches no finding"},
             "locations": [_physical(s.path, base, s.line)]} for s in report.unused_suppressions]
    run = {
        "tool": {"driver": {"name": "corslint", "version": __version__, "semanticVersion": __version__,
                            "informationUri": REPOSITORY,
                            "rules": [_rule(r, docs_url) for r in RULES]}},
        "invocations": [invocation],
        "originalUriBaseIds": {"%SRCROOT%": {"uri": _file_uri(base.folder).rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index, base, hashes) for f in findings],
    }
    return json_text(json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)) + "\n"
