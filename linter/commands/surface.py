"""`corslint surface PATH...`: the CORS policy per server and scope
(linter/surface/), or with --diff REV what a change opens."""

from __future__ import annotations

from .. import display
from ..args import Command, Opt, Pos, UsageError
from . import mappings, prepared, reading_options, say, write


FORMATS = ("text", "json", "markdown", "html")


def command() -> Command:
    return Command(
        "corslint surface", "Print, per server and scope, the CORS policy a browser meets: who may read (`*`, "
                            "origins, patterns and what they also admit), credentials, methods, headers, exposed "
                            "headers, Max-Age, preflights, and the configuration lines behind each. Exit status: 0; "
                            "1 with --fail-on-widen when the --diff widens the policy; 2 for a usage or input error "
                            "(the surface is still printed).",
        Pos("paths", "PATH", "files or folders to read (with --diff, default: the current folder)", many=True),
        Opt("--format", "text (default), json (the surface document), markdown (a pull-request comment or job "
                        "summary) or html (one self-contained page with the scope x origin matrix)", short="-f",
            choices=FORMATS, default="text"),
        Opt("--output", "write the surface (or the --diff) to FILE; its missing folders are made", short="-o",
            metavar="FILE"),
        Opt("--base", "paths are given relative to DIR (default: the git repository's top level, else the current "
                      "folder)", metavar="DIR"),
        *reading_options("the files given"),
        Opt("--config", "configuration file (trusted-origins, clients, paths), a .corslint.toml or a pyproject.toml "
                        "(default: the nearest one)", metavar="FILE"),
        Opt("--diff", "compare with the surface at the git revision REV (read from git objects; the working tree "
                      "is left alone): print the changes, widening ones marked", metavar="REV"),
        Opt("--fail-on-widen", "with --diff: exit 1 when a change widens who may read what", action="flag"),
    )


def main(argv: list[str]) -> int:
    args = command().parse(argv)
    if not args.paths and args.diff:
        args.paths = ["."]      # what changed here since REV, as `git diff REV` reads it
    if not args.paths:
        raise UsageError("corslint surface: no PATH given (try `corslint surface --help`)")
    if args.fail_on_widen and not args.diff:
        raise UsageError("corslint surface: --fail-on-widen needs --diff REV")
    from ..report.paths import Base

    settings = prepared(args, "corslint surface")
    if settings is None:
        return 2
    maps = mappings(settings, args.map, args.root, "corslint surface")
    base = Base.find(args.base)
    computed = _Surfaces(settings, args.type, args.root, maps)
    doc, report = computed.at(args.paths, base)
    if args.diff:
        return _diff(args, computed, doc, report, base)
    if not write(_text(doc, args.format), args.output):
        return 2
    return _said(report)


def _said(report) -> int:
    """The run's input errors and notes (includes not read: the surface may
    miss what they hold) on stderr, as the lint prints them; the exit status."""
    from ..report.text import notes

    for error in report.errors:
        say(error)
    for note in notes(report):
        say(note)
    return 2 if report.errors else 0


class _Surfaces:
    """One run's way to compute a surface (its settings, --type, --root and
    mappings): for the working tree, and as revision.document_at's
    `compute(paths, base_folder)` for a revision checked out elsewhere."""

    def __init__(self, settings, kind, root, mappings):
        self.settings, self.kind, self.root, self.mappings = settings, kind, root, mappings

    def at(self, paths: list[str], base):
        from ..surface.collect import surface

        return surface(paths, self.settings, self.kind, self.root, self.mappings, base)

    def compute(self, paths: list[str], base_folder: str) -> dict:
        from ..report.paths import Base

        return self.at(paths, Base(base_folder))[0]


def _text(doc: dict, form: str) -> str:
    """The surface document in the format asked."""
    if form == "json":
        import json

        return display.json_text(json.dumps(doc, indent=2)) + "\n"
    if form == "markdown":
        from ..surface.markdown import render
    elif form == "html":
        from ..surface.html import render
    else:
        from ..surface.text import render
    return render(doc)


def _diff(args, computed: "_Surfaces", after: dict, report, base) -> int:
    """--diff REV: the surface at REV against the working tree's, as the
    diff document in the format asked; --fail-on-widen exits 1 on a widening."""
    from ..surface import diff, revision

    before = revision.document_at(args.diff, args.paths, computed.compute)   # UsageError outside a repository
    changes = diff.compare(before, after, args.diff)
    if args.format == "json":
        import json

        text = display.json_text(json.dumps(changes, indent=2)) + "\n"
    elif args.format == "markdown":
        from ..surface.markdown import render_diff

        text = render_diff(changes)
    elif args.format == "html":
        from ..surface.html import render_diff

        text = render_diff(changes)
    else:
        text = diff.text(changes)
    if not write(text, args.output):
        return 2
    return _said(report) or (1 if args.fail_on_widen and changes["widens"] else 0)

