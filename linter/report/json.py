"""The JSON report of cli.md: one object with version, findings, errors, files.
Strings are exact (JSON escapes controls and writes ASCII); display.json_text
keeps a printed report from reading as a runner command."""

from __future__ import annotations

import json

from .. import __version__
from ..display import json_text


def finding_dict(f) -> dict:
    out = {"code": f.code, "name": f.name, "severity": f.severity, "path": f.path, "line": f.line}
    if f.column is not None:
        out["column"] = f.column
    if f.end_line is not None:
        out["end_line"] = f.end_line
    out["message"] = f.message
    out["request"] = f.request
    if f.related:
        out["related"] = [{"path": r.path, "line": r.line, "message": r.message} for r in f.related]
    if f.fix:
        out["fix"] = f.fix
    out["fixable"] = bool(f.edits)     # `corslint --fix` repairs it
    return out


def render(report) -> str:
    payload = {
        "version": __version__,
        "findings": [finding_dict(f) for f in report.findings],
        "errors": [{"path": e.path, "line": e.line, **({"column": e.column} if e.column else {}), "message": e.message}
                   for e in report.errors],
        "files": report.files,
        "read": report.read,
    }
    if report.skipped:
        payload["skipped"] = [{"path": path, "reason": reason} for path, reason in report.skipped]
    if report.notices:
        payload["notices"] = [{"path": n.path, "line": n.line, "message": n.message} for n in report.notices]
    if report.quiet:
        payload["not_in_repository"] = [{"name": name, "includes": count} for name, count in sorted(report.quiet.items())]
    if report.mappings:
        payload["mappings"] = [{"target": m.target, "source": m.source, "origin": m.origin} for m in report.mappings]
    if report.unused_suppressions:
        payload["unused_suppressions"] = [{"path": s.path, "line": s.line, "codes": s.codes}
                                          for s in report.unused_suppressions]
    return json_text(json.dumps(payload, indent=2)) + "\n"
