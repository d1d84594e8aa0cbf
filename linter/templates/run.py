"""Linting a template: rendered to variants, each variant loaded by the
kind of the file it renders to and judged, the findings merged.

Variants (bounded by MAX_VARIANTS): every block takes its first branch
(the "all-true" variant), every block takes its last (the "all-false"
one: `else`, or nothing), then, from the all-true one, each block's last
branch alone and each middle branch (`elif`) alone, so that a finding's
condition names only the blocks it needs.  A finding is
reported once per line and code; when it does not occur in every variant,
its message says which branch it needs.  The rendered text is read in the
template's place (`confine.rendered`), so every loader, include and limit
applies as to any file, and line numbers are the template's.
"""

from __future__ import annotations

import os

from .. import confine
from ..diagnostics import InputError, Related
from ..engine import Outcome, judge, load_model
from ..files import classify, content_kind
from ..kinds import DEFAULT_KIND, NOT_CONFIG, imported
from ..record import replace
from . import recognize
from .tree import Renderer, describe

#: variants rendered of one template (and its includes)
MAX_VARIANTS = 8
#: files read to find Helm's named templates (`define`) in a chart's templates/ folder
MAX_DEFINE_FILES = 200
#: words of a template's text that show it configures CORS (one that renders to no known kind is then skipped visibly)
_CORS_WORDS = ("access-control", "cors")


def lint_template(path: str, explicit: bool, kind: str | None, root: str | None, rules, make_context,
                  included: set[str], language: str | None = None) -> Outcome | None:
    """The outcome of linting the template `path`, or None when it is no
    template after all (a Helm folder's manifest without markup)."""
    if path.lower().endswith(".tf"):
        from .terraform_calls import lint_calls

        return lint_calls(path, explicit, kind, root, rules, make_context, included)
    text = _text(path)
    language = language or recognize.language(path, text)
    if language is None:
        return None
    reading = Reading(path, language)
    outcome = Outcome(path, [path], judged=True)
    try:
        template = reading.parse(path, text)
        variants = _variants(template, reading)
    except InputError as exc:
        outcome.errors.append(exc)
        return outcome
    outcome.files += [p for p in reading.files if p != path]
    name = recognize.rendered_name(path)
    confine.rendered(path, variants[0].text.encode())
    try:
        kind = kind or _kind(path, name, explicit)
    finally:
        confine.rendered(path, None)
    if kind is None:
        if explicit or any(word in text.lower() for word in _CORS_WORDS):
            outcome.skipped.append((path, f"{recognize.NAMES[language]} that renders to no configuration corslint "
                                          f"reads (--type forces a kind)"))
        outcome.judged = False
        return outcome
    _judge_variants(outcome, path, kind, root, rules, make_context, included, variants, reading)
    return outcome


def _text(path: str) -> str:
    try:
        return confine.read(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, None, f"cannot read this template: not UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise InputError(path, None, str(exc)) from None


def _kind(path: str, name: str, explicit: bool) -> str | None:
    """The kind of the rendered file, judged by `files.classify` on its name
    and rendered content; without a telling name (`apache.erb`, `x.tpl`),
    by the server kinds' and the manifest sniffs on its content alone; a file named on the command line whose name says
    nothing is the default kind, as any file named."""
    kind = classify(path, name)
    if kind is None:    # a template is configuration by intent: its rendered content alone decides
        head = confine.read(path, head=1 << 20)
        kind = content_kind(head)
    if kind is None and explicit and not name.lower().endswith(NOT_CONFIG + (".py", ".js", ".ts", ".yaml", ".yml")):
        kind = DEFAULT_KIND
    return kind


class Reading:
    """The templates one lint reads: the root, its includes (Jinja: in the
    role's `templates/` folder; Go: `define`s of the chart's templates/
    files), each parsed once, every block numbered apart."""

    def __init__(self, path: str, language: str):
        self.path = path
        self.language = language
        self.parser = imported(f"corslint.templates.{recognize.MODULES[language]}:parse")
        self.blocks: list = []
        self.files: list[str] = [path]
        self.cache: dict[str, object] = {}
        self.defines: dict[str, tuple[object, list]] | None = None
        folder = os.path.dirname(os.path.abspath(path))
        top = folder
        while os.path.basename(top) != "templates" and os.path.dirname(top) != top:
            top = os.path.dirname(top)
        top = top if os.path.basename(top) == "templates" else folder
        #: where includes are looked up and confined: the nearest `templates/` folder above, else the file's own
        #: (in the spelling of `path`: messages name files as the user does)
        self.folder = top if os.path.isabs(path) else os.path.relpath(top)

    def parse(self, path: str, text: str):
        template = self.parser(path, text, len(self.blocks))
        self.blocks += template.blocks
        return template

    def lookup(self, name, template, line: int):
        """The (Template, nodes) an include names, or None (unknown)."""
        if name is None:
            return None
        if self.language == "go":
            return self._define(name)
        if self.language != "jinja":
            return None
        beside = os.path.normpath(os.path.join(os.path.dirname(template.path), name))
        target = os.path.normpath(os.path.join(self.folder, name))
        if os.path.isfile(beside) and confine.inside(beside, self.folder):
            target = beside     # Ansible looks beside the including template first, then in templates/
        if target not in self.cache:
            try:
                data = confine.read(target, self.folder).decode("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(template.path, line, f"include {name!r}: {exc}") from None
            self.cache[target] = self.parse(target, data)
            self.files.append(target)
        other = self.cache[target]
        return other, other.nodes

    def _define(self, name: str):
        if self.defines is None:
            self.defines = {}
            root = self.cache.get(self.path)
            for template in ([root] if root else []) + self._chart_templates():
                for key, nodes in template.defines.items():
                    self.defines.setdefault(key, (template, nodes))
        return self.defines.get(name)

    def _chart_templates(self) -> list:
        """The other files of the chart's templates/ folder (any ending:
        `_helpers.tpl`, `entries.app`) that define named templates."""
        out = []
        try:
            names = sorted(os.listdir(self.folder))[:MAX_DEFINE_FILES]
        except OSError:
            return out
        for entry in names:
            target = os.path.join(self.folder, entry)
            if target == os.path.normpath(self.path) or not os.path.isfile(target):
                continue
            try:
                data = confine.read(target, self.folder).decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if "define" not in data:
                continue
            try:
                template = self.parse(target, data)
            except InputError:
                continue    # another manifest's problem, reported when it is linted
            if template.defines:
                out.append(template)
                self.files.append(target)
        return out


def _variants(template, reading: Reading) -> list:
    """The rendered variants (see the module's docstring)."""
    reading.cache[template.path] = template
    plans = [lambda block: 0, lambda block: block.choices - 1]
    for block in reading.blocks:    # each block's last branch alone, then each middle branch alone
        if block.choices > 1:
            plans.append(lambda b, at=block.ident, pick=block.choices - 1: pick if b.ident == at else 0)
    for block in reading.blocks:
        for branch in range(1, block.choices - 1):
            plans.append(lambda b, at=block.ident, pick=branch: pick if b.ident == at else 0)
    out, seen = [], set()
    for plan in plans[:MAX_VARIANTS]:
        rendered = Renderer(plan, reading.lookup).run(template)
        if rendered.text not in seen:
            seen.add(rendered.text)
            out.append(rendered)
    return out


def _judge_variants(outcome: Outcome, path: str, kind: str, root, rules, make_context, included, variants,
                    reading: Reading) -> None:
    found: dict[tuple, tuple] = {}      # key -> (finding, variants it occurs in)
    errors: dict[str, InputError] = {}
    notices: dict[str, InputError] = {}
    for index, variant in enumerate(variants):
        confine.rendered(path, variant.text.encode())
        try:
            model = load_model(path, kind, root)
            if model.path in included:
                outcome.judged = False
                return
            for error in model.parsed.errors:
                moved = _moved_error(error, path, variant)
                errors.setdefault(str(moved), moved)
            for notice in model.parsed.notices:
                moved = _moved_error(notice, path, variant)
                notices.setdefault(str(moved), moved)
            outcome.quiet += [name for name in model.parsed.quiet if name not in outcome.quiet]
            outcome.mapped += [m for m in model.parsed.mapped if m not in outcome.mapped]
            outcome.files += [f for f in model.parsed.files[1:] if f not in outcome.files]
            findings, judged_errors = ([], []) if model.parsed.errors else judge(model, rules, make_context)
        finally:
            confine.rendered(path, None)
        for error in judged_errors:
            errors.setdefault(str(error), error)
        for finding in findings:
            moved = _moved(finding, path, variant)
            known = found.get(moved.key)
            found[moved.key] = (known[0] if known else moved, (known[1] if known else set()) | {index})
    outcome.errors.extend(errors.values())
    outcome.notices.extend(notices.values())
    for finding, where in found.values():
        if len(where) < len(variants):
            need = _needs(where, variants, reading)
            if need:
                finding.message += f" (template: {need})"
        outcome.findings.append(finding)


def _moved(finding, path: str, variant):
    """A finding of the rendered text at the template line it comes from;
    edits, computed on the rendered text, are dropped (--fix leaves templates alone)."""
    where = variant.where(finding.line) if finding.path == path else None
    related = [Related(*(variant.where(r.line) or (r.path, r.line)), r.message) if r.path == path else r
               for r in finding.related]
    moved = replace(finding, related=related, edits=())
    if where is not None:
        moved.path, moved.line = where
    return moved


def _moved_error(error: InputError, path: str, variant) -> InputError:
    where = variant.where(error.line) if error.path == path and error.line else None
    if where is None:
        return error
    return InputError(where[0], where[1], f"{error.message} (in the rendered template)")


def _needs(where: set[int], variants, reading: Reading) -> str:
    """The branches every variant a finding occurs in takes and some variant
    without it does not: the condition the finding needs, in words."""
    words = []
    for block in reading.blocks:
        taken = {variants[i].chosen.get(block.ident) for i in where}
        if len(taken) != 1 or None in taken:
            continue
        branch = taken.pop()
        if any(variants[i].chosen.get(block.ident) not in (branch, None) for i in range(len(variants))
               if i not in where):
            shown = next((t.path for t in reading.cache.values() if block in t.blocks), reading.path)
            words.append(describe(block, branch, "line " if shown == reading.path else f"{shown}:"))
    return "; ".join(words)
