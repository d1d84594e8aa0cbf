"""SARIF 2.1.0 (`--format sarif`): for GitHub code scanning and other
review tools.

- `tool.driver.rules` describes every rule from its doc (summary, *What it
  does*, the whole doc as help text and Markdown, default level).
- Each result points at the offending line (file URI relative to the working
  directory under `%SRCROOT%`), carries the finding's related lines as
  `relatedLocations`, its machine-applicable edits as `fixes`, and a
  `partialFingerprints` entry that hashes the rule, the file and the trimmed
  text of the offending line (not its number), so a finding keeps its
  identity when lines are added above it.
- Input errors become `toolExecutionNotifications` of the invocation, which
  then is not `executionSuccessful`; includes not read, the system files
  the repository does not hold and the mappings used are notifications at
  level note (an include's at its line).
- Artifact URIs percent-encode the path's bytes (a name that is not UTF-8
  too); message texts are escaped (display.py), so the report holds no
  control character and no lone surrogate for code scanning to reject.
"""

from __future__ import annotations

import hashlib
import json
import os
from urllib.parse import quote

from .. import __version__
from ..display import json_text, text as _text

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT = "corslint/v1"
#: where the rule pages (docs/rules/CODE.md) are published; helpUri is left
#: out while unset.  `CORSLINT_DOCS_URL` overrides it.
DOCS_URL: str | None = None


def _quote(path: str) -> str:
    """The path's bytes (as the file system has them) percent-encoded, `/` kept."""
    return quote(os.fsencode(path.replace(os.sep, "/")))


def _file_uri(path: str) -> str:
    return "file://" + _quote(os.path.abspath(path) + ("/" if os.path.isdir(path) else ""))


def _location(path: str, cwd: str) -> dict:
    """artifactLocation: relative to the working directory when the file is
    below it, an absolute file URI otherwise."""
    full = os.path.abspath(path)
    rel = os.path.relpath(full, cwd)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
        return {"uri": _file_uri(full)}
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


def _physical(path: str, cwd: str, line: int | None, column: int | None = None, end_line: int | None = None) -> dict:
    return {"physicalLocation": {"artifactLocation": _location(path, cwd),
                                 "region": _region(path, line, column, end_line)}}


def fingerprint(finding, cwd: str) -> str:
    """Hash of code, file (as its SARIF URI) and the trimmed text of the
    offending line: stable when lines move."""
    from ..edits import line_text

    text = (line_text(finding.path, finding.line) or "").strip()
    key = "\0".join((finding.code, _location(finding.path, cwd)["uri"], " ".join(text.split())))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _rule(rule) -> dict:
    from .. import ruledocs

    descriptor = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": ruledocs.what_it_does(rule)},
        "help": {"text": ruledocs.text(rule), "markdown": ruledocs.markdown(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["cors", "security"] if rule.code[:5] == "CORS2" else ["cors"],
                       "precision": "high"},
    }
    base = os.environ.get("CORSLINT_DOCS_URL") or DOCS_URL
    if base:
        descriptor["helpUri"] = f"{base.rstrip('/')}/{rule.code}.md"
    return descriptor


def _fix(finding, cwd: str) -> dict:
    by_path: dict[str, list] = {}
    for edit in finding.edits:
        by_path.setdefault(edit.path, []).append(edit)
    changes = []
    for path, edits in by_path.items():
        replacements = [{"deletedRegion": {"startLine": e.line, "startColumn": e.start + 1,
                                           "endLine": e.line, "endColumn": e.end + 1},
                         "insertedContent": {"text": e.new}} for e in sorted(edits, key=lambda e: (e.line, e.start))]
        changes.append({"artifactLocation": _location(path, cwd), "replacements": replacements})
    return {"description": {"text": _text(finding.fix or "corslint --fix")}, "artifactChanges": changes}


def _result(finding, index: dict, cwd: str, seen: dict) -> dict:
    text = _text(finding.message.rstrip())
    if finding.request:
        text += f" (request: {_text(finding.request)})"
    result = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "locations": [_physical(finding.path, cwd, finding.line, finding.column, finding.end_line)],
    }
    digest = fingerprint(finding, cwd)
    seen[digest] = seen.get(digest, 0) + 1
    result["partialFingerprints"] = {FINGERPRINT: f"{digest}:{seen[digest]}"}
    if finding.related:
        result["relatedLocations"] = [{"id": n, **_physical(r.path, cwd, r.line), "message": {"text": _text(r.message)}}
                                      for n, r in enumerate(finding.related, start=1)]
    if finding.fix:
        result["properties"] = {"fix": _text(finding.fix)}
    if finding.edits:
        result["fixes"] = [_fix(finding, cwd)]
    return result


def _notification(error, cwd: str) -> dict:
    out = {"level": "error", "message": {"text": _text(error.message)}, "descriptor": {"id": "input-error"}}
    if error.path:
        out["locations"] = [_physical(error.path, cwd, error.line, error.column)] if error.line else \
            [{"physicalLocation": {"artifactLocation": _location(error.path, cwd)}}]
    return out


def _notes(report, cwd: str) -> list[dict]:
    """Notifications at level note: the includes not read (at their line),
    the system files the repository does not hold, the mappings used."""
    from .text import quiet_line

    out = []
    for n in report.notices:
        note = {"level": "note", "message": {"text": _text(n.message)}, "descriptor": {"id": "include-not-read"}}
        if n.path:
            note["locations"] = [_physical(n.path, cwd, n.line)] if n.line else \
                [{"physicalLocation": {"artifactLocation": _location(n.path, cwd)}}]
        out.append(note)
    if report.quiet:
        out.append({"level": "note", "message": {"text": _text(quiet_line(report.quiet))},
                    "descriptor": {"id": "system-files-not-read"}})
    out += [{"level": "note", "message": {"text": f"includes read through the mapping {_text(m.shown())}"},
             "descriptor": {"id": "mapping-used"}} for m in report.mappings]
    return out


def render(report, cwd: str | None = None) -> str:
    from corslint.rules import RULES

    cwd = os.path.abspath(cwd or os.getcwd())
    index = {rule.code: n for n, rule in enumerate(RULES)}
    seen: dict[str, int] = {}
    invocation = {"executionSuccessful": not report.errors,
                  "workingDirectory": {"uri": _file_uri(cwd).rstrip("/") + "/"}}
    notifications = [_notification(e, cwd) for e in report.errors]
    notifications += [{"level": "note", "message": {"text": f"skipped: {_text(reason)}"},
                       "locations": [{"physicalLocation": {"artifactLocation": _location(path, cwd)}}]}
                      for path, reason in report.skipped]
    notifications += _notes(report, cwd)
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    if report.unused_suppressions:
        invocation["toolConfigurationNotifications"] = [
            {"level": "warning", "descriptor": {"id": "unused-suppression"},
             "message": {"text": f"unused suppression ({_text(', '.join(s.codes)) if s.codes else 'all'}): "
                                 f"it matches no finding"},
             "locations": [_physical(s.path, cwd, s.line)]} for s in report.unused_suppressions]
    run = {
        "tool": {"driver": {"name": "corslint", "version": __version__, "semanticVersion": __version__,
                            "rules": [_rule(r) for r in RULES]}},
        "invocations": [invocation],
        "originalUriBaseIds": {"%SRCROOT%": {"uri": _file_uri(cwd).rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index, cwd, seen) for f in report.findings],
    }
    return json_text(json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)) + "\n"
