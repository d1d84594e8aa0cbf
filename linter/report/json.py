"""The JSON report of cli.md: one object with version, findings, errors, files.
Strings are exact (JSON escapes controls and writes ASCII); display.json_text
keeps a printed report from reading as a runner command.  Paths are the
files' real paths relative to the repository's top level (paths.py), as in
SARIF, so a pipeline's JSON and its alerts name the same file; a path
outside it is as given; a finding is given once per real file, line and rule."""

from __future__ import annotations

import json

from .. import __version__
from ..display import json_text
from .paths import Base


def finding_dict(f, base: Base) -> dict:
    out = {"code": f.code, "name": f.name, "severity": f.severity, "path": base.shown(f.path), "line": f.line}
    if f.column is not None:
        out["column"] = f.column
    if f.end_line is not None:
        out["end_line"] = f.end_line
    out["message"] = f.message
    out["request"] = f.request
    if f.related:
        out["related"] = [{"path": base.shown(r.path), "line": r.line, "message": r.message} for r in f.related]
    if f.fix:
        out["fix"] = f.fix
    out["fixable"] = bool(f.edits)     # `corslint --fix` repairs it
    return out


def render(report, base: Base | None = None) -> str:
    """The JSON report, paths relative to `base` (paths.py's default when None)."""
    base = base or Base.find()
    payload = {
        "version": __version__,
        "findings": [finding_dict(f, base) for f in base.unique(report.findings)],
        "errors": [{"path": base.shown(e.path), "line": e.line, **({"column": e.column} if e.column else {}),
                    "message": e.message} for e in report.errors],
        "files": report.files,
        "read": [base.shown(path) for path in report.read],
    }
    if report.skipped:
        payload["skipped"] = [{"path": base.shown(path), "reason": reason} for path, reason in report.skipped]
    if report.notices:
        payload["notices"] = [{"path": base.shown(n.path), "line": n.line, "message": n.message}
                              for n in report.notices]
    if report.quiet:
        payload["not_in_repository"] = [{"name": name, "includes": count} for name, count in sorted(report.quiet.items())]
    if report.mappings:
        payload["mappings"] = [{"target": m.target, "source": m.source, "origin": m.origin} for m in report.mappings]
    if report.unused_suppressions:
        payload["unused_suppressions"] = [{"path": base.shown(s.path), "line": s.line, "codes": s.codes}
                                          for s in report.unused_suppressions]
    return json_text(json.dumps(payload, indent=2)) + "\n"
