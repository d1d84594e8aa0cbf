"""`corslint [OPTIONS] PATH...`: lint (contract: shared/spec/cli.md)."""

from __future__ import annotations

import sys

from .. import display
from ..args import Command, Opt, Pos, UsageError
from . import mappings, prepared, reading_options, say, write


def _split_codes(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [c.strip() for v in values for c in v.split(",") if c.strip()]


def command():
    from .. import __version__

    return Command(
        "corslint", "Lint CORS configuration (nginx, Apache, frameworks, platform YAML).",
        Pos("paths", "PATH", "files or folders to lint; - reads the standard input (with --stdin-filename or "
                             "--type)", many=True),
        Opt("--format", "text (default), json, sarif (code scanning), github (Actions annotations) or markdown "
                        "(a job summary or pull-request comment)", short="-f",
            choices=("text", "json", "sarif", "github", "markdown"), default="text"),
        Opt("--output", "write the report (or the --diff) to FILE; its missing folders are made", short="-o",
            metavar="FILE"),
        Opt("--base", "json, sarif, github and markdown give paths relative to DIR (default: the git repository's top "
                      "level, else the current folder)", metavar="DIR"),
        Opt("--select", "rule codes, prefixes or slugs", action="append", metavar="CODES"),
        Opt("--ignore", "rule codes, prefixes or slugs to skip", action="append", metavar="CODES"),
        Opt("--fail-on", "lowest severity that fails (warning)", choices=("error", "warning", "info")),
        Opt("--exit-zero", "exit 0 even when findings fail the run (input and usage errors still exit 2)",
            action="flag"),
        Opt("--quiet", "print the findings only: no summary, notes, skipped files or fix hints", short="-q",
            action="flag"),
        Opt("--statistics", "print how many findings each rule has instead of the findings (text or json)",
            action="flag"),
        Opt("--color", "colour the text report: auto (default: on a terminal, unless NO_COLOR is set or "
                       "FORCE_COLOR is), always or never", choices=("auto", "always", "never")),
        Opt("--stdin-filename", "the name of the file read from the standard input (-): it decides the kind, "
                                "names the findings and anchors the includes", metavar="NAME"),
        Opt("--config", "configuration file, a .corslint.toml or a pyproject.toml (default: the nearest one; "
                        "a nearer one governs its folder's files)", metavar="FILE"),
        *reading_options("the files given"),
        Opt("--strict", "also report suppressions that match nothing, and make includes that are not read input "
                        "errors (exit 2) instead of notices", action="flag"),
        Opt("--fix", "apply the fixes that cannot change meaning beyond their finding, then report what remains "
                     "(with -: print the fixed text, and the report on stderr or --output)", action="flag"),
        Opt("--diff", "print the --fix changes as a unified diff; write nothing", action="flag"),
        Opt("--skip-unknown", "skip given files that are no configuration corslint knows (as in a folder walk): "
                              "for pre-commit, which passes every staged file", action="flag"),
        version=f"corslint {__version__}",
    )


def main(argv: list[str]) -> int:
    args = command().parse(argv)
    if not args.paths:
        raise UsageError("corslint: no PATH given (try `corslint --help`)")
    code = _lint(args)
    # --exit-zero: findings never fail the run; what could not be read or run still does
    return 0 if args.exit_zero and code == 1 else code


def _lint(args) -> int:
    stdin = _stdin_name(args)
    paths = [stdin] if stdin else args.paths
    if args.skip_unknown and not args.type and not stdin:
        from ..files import recognise
        import os

        # a file that looks like server configuration but is not is kept: the lint lists it as skipped
        paths = [path for path in paths if os.path.isdir(path) or not os.path.exists(path) or any(recognise(path))]

    from ..engine import lint

    _check_codes(_split_codes(args.select) or [])
    _check_codes(_split_codes(args.ignore) or [])
    if args.statistics and args.format not in ("text", "json"):
        raise UsageError("corslint: --statistics is printed as text or json (not --format "
                         f"{args.format})")
    settings = prepared(args, "corslint")
    if settings is None:
        return 2
    settings.layer(_split_codes(args.select), _split_codes(args.ignore) or [])
    if args.fail_on:
        settings.fail_on = args.fail_on
    if stdin and not _read_stdin(stdin):
        return 2
    maps = mappings(settings, args.map, args.root, "corslint")
    report = lint(paths, settings, args.type, args.root, args.strict, maps)
    if args.fix or args.diff:
        from .. import fixes

        store = _stand_in if stdin else fixes.write_atomic
        result = fixes.run(report, lambda: lint(paths, settings, args.type, args.root, args.strict, maps),
                           write=not args.diff, store=store)
        for message in result.messages:
            say(f"corslint: {message}")
        changed = sum(1 for c in result.changes.values() if c.before != c.after)
        n = len(result.fixed)
        if args.diff:
            if not write(result.diff if args.output else display.fenced(result.diff), args.output):
                return 2
            say(f"corslint: {n} finding{'s' if n != 1 else ''} can be fixed in {changed} "
                 f"file{'s' if changed != 1 else ''} (`corslint --fix`)" if n else "corslint: nothing to fix")
            for error in report.errors:
                say(error)
            return 2 if report.errors else (1 if changed else 0)
        if stdin:
            from ..confine import read

            # the fixed text is the output, as ruff's `--fix -`; the report goes to stderr (or --output)
            sys.stdout.buffer.write(read(stdin))
        elif not args.quiet:
            say(f"corslint: fixed {n} finding{'s' if n != 1 else ''} in {changed} "
                 f"file{'s' if changed != 1 else ''}")
        report = result.report
    text = _render(report, args, settings)
    if stdin and args.fix and not args.output:
        sys.stderr.write(text)
    elif not write(text, args.output):
        return 2
    for error in report.errors:
        say(error)
    if report.errors:
        return 2
    if args.strict and report.unused_suppressions:
        return 1
    return 1 if report.failed(settings.fail_on) else 0


def _render(report, args, settings) -> str:
    """The report in the format asked (--statistics: the count per rule);
    the review formats with paths from the base (report/paths.py) and rule
    links under the configured docs-url."""
    if args.statistics:
        from ..report.statistics import render
        return render(report, args.format)
    if args.format in ("json", "sarif", "github", "markdown"):
        from ..report.paths import Base

        base = Base.find(args.base)
        if args.format == "json":
            from ..report.json import render
            return render(report, base)
        if args.format == "github":
            from ..report.github import render
            return render(report, base)
        if args.format == "sarif":
            from ..report.sarif import render
        else:
            from ..report.markdown import render
        return render(report, base, settings.docs_url)
    from ..report.text import render
    text = render(report, color=_color(args.color, args.output), quiet=args.quiet)
    fixable = sum(1 for f in report.findings if f.edits)
    if fixable and not args.quiet:
        text += (f"{fixable} of them can be fixed automatically: `corslint --fix` (preview with "
                 f"`--diff`).\n")
    return text


def _color(choice: str | None, output: str | None) -> bool:
    """Whether the text report is coloured: --color always/never; else
    NO_COLOR (no-color.org: any non-empty value) turns it off, FORCE_COLOR
    (force-color.org: any non-empty value) on, and otherwise a terminal
    on stdout decides."""
    import os

    if choice in ("always", "never"):
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return output is None and sys.stdout.isatty()


def _stdin_name(args) -> str | None:
    """The name the standard input is linted as (`-` given), or None: the
    --stdin-filename, else `-` itself when --type says the kind; usage
    errors for `-` among other paths, for `-` with neither, and for
    --stdin-filename without `-`."""
    if "-" not in args.paths:
        if args.stdin_filename:
            raise UsageError("corslint: --stdin-filename names the standard input: give - as the PATH")
        return None
    if len(args.paths) > 1:
        raise UsageError("corslint: - (the standard input) must be the only PATH")
    if not args.stdin_filename and not args.type:
        raise UsageError("corslint: - (the standard input) needs --stdin-filename NAME or --type KIND to know "
                         "what it is")
    return args.stdin_filename or "-"


def _read_stdin(name: str) -> bool:
    """Read the standard input as the file `name` (`confine.stand_in`),
    bounded as a file is (MAX_FILE_BYTES); False, said, when it is larger."""
    from ..confine import MAX_FILE_BYTES, stand_in

    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        say(f"corslint: -: the standard input is larger than the {MAX_FILE_BYTES >> 20} MiB corslint reads; "
             f"it was not linted")
        return False
    stand_in(name, data)
    return True


def _stand_in(change) -> None:
    """`--fix -`: a fixed text replaces the standard input's, never the file of its name."""
    from ..confine import stand_in

    stand_in(change.path, change.after.encode("utf-8"))


def _check_codes(codes: list[str]) -> None:
    from ..config import unknown_code

    for code in codes:
        if unknown_code(code):
            raise UsageError(f"corslint: unknown rule code or slug {code!r} (see `corslint rules`)")

