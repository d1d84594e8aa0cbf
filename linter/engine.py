"""A lint run: files -> server models -> rules -> findings.

Each stage has one home (design.md): `files` classifies, the per-format
packages parse and lower, `probes` questions the model, the rule modules
judge, and this module only wires them together and applies the user's
selection and suppressions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .config import Settings
from .diagnostics import SEVERITY_RANK, Finding, InputError
from .files import classify, expand


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    files: int = 0
    unused_suppressions: list = field(default_factory=list)

    def failed(self, fail_on: str) -> bool:
        threshold = SEVERITY_RANK[fail_on]
        return any(SEVERITY_RANK[f.severity] >= threshold for f in self.findings)


def matches(code: str, name: str, patterns: list[str]) -> bool:
    """`CORS2` matches CORS201..CORS209; a slug matches its rule."""
    for pattern in patterns:
        p = pattern.strip()
        if not p:
            continue
        if code.upper().startswith(p.upper()) or name == p.lower():
            return True
    return False


def selected_rules(select: list[str], ignore: list[str]):
    from corslint.rules import all_rules

    return [rule for rule in all_rules() if hasattr(rule, "check")
            and matches(rule.CODE, rule.NAME, select) and not matches(rule.CODE, rule.NAME, ignore)]


def load_model(path: str, kind: str, root: str | None = None):
    """The server model for one root file (errors stay on the model)."""
    if kind == "nginx":
        from .nginx.model import load

        return load(path, path, root)
    raise InputError(path, None, f"{kind} files are not supported yet")


def lint(paths: list[str], settings: Settings, forced_kind: str | None = None, root: str | None = None,
         strict: bool = False) -> Report:
    from . import suppress
    from .origins import Trust
    from .probes import Client, ProbeContext

    report = Report()
    rules = selected_rules(settings.select, settings.ignore)
    trust = Trust(settings.trusted_origins)
    clients = [Client(c["origin"], c.get("methods", ()), c.get("headers", ()), bool(c.get("credentials", False)))
               for c in settings.clients]
    models = []
    for path, explicit in expand(paths):
        if explicit and not os.path.exists(path):
            report.errors.append(InputError(path, None, "no such file or directory"))
            continue
        kind = forced_kind if (explicit and forced_kind) else classify(path)
        if kind is None:
            if explicit:
                kind = "nginx"
            else:
                continue
        try:
            model = load_model(path, kind, root)
        except InputError as exc:
            report.errors.append(exc)
            continue
        except (RecursionError, MemoryError, ValueError, OSError) as exc:
            report.errors.append(InputError(path, None, f"cannot read this file: {exc}"))
            continue
        models.append(model)
    included = {f for m in models for f in m.parsed.files[1:]}
    findings: dict[tuple, Finding] = {}
    suppressions: dict[str, list] = {}
    for model in models:
        if model.path in included:
            continue    # linted in the context of the file that includes it
        report.files += len(model.parsed.files)
        report.errors.extend(model.parsed.errors)
        for shown in model.parsed.files:
            suppressions.setdefault(shown, suppress.scan(shown))
        ctx = ProbeContext(model, trust, clients)
        for rule in rules:
            try:
                for hit in rule.check(ctx):
                    finding = Finding(rule.CODE, rule.NAME, rule.SEVERITY, hit.source.path, hit.source.line,
                                      hit.message, hit.request, related=hit.related, fix=hit.fix)
                    findings.setdefault(finding.key, finding)
            except Exception as exc:  # a bug must not hide the other files' results
                report.errors.append(InputError(model.path, None, f"internal error in {rule.CODE} "
                                                f"({type(exc).__name__}: {exc}); please report it"))
    kept = [f for f in findings.values()
            if not matches(f.code, f.name, settings.ignored_for(f.path))]
    report.findings = sorted(suppress.apply(kept, suppressions), key=lambda f: (f.path, f.line, f.code))
    if strict:
        report.unused_suppressions = [s for sups in suppressions.values() for s in sups if not s.used]
    report.errors.sort(key=lambda e: (e.path, e.line or 0))
    return report
