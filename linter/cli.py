"""The `corslint` command line (contract: shared/spec/cli.md).

    corslint [OPTIONS] PATH...          lint
    corslint simulate PATH --url URL    predict one cross-origin call
    corslint surface PATH...            the CORS policy per server and scope (--diff REV: what changed)
    corslint rules                      list the rules
    corslint explain CODE|SLUG          print a rule's doc
    corslint docs [--output DIR]        write docs/rules/CODE.md from the rule docs

Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage error or an
input that cannot be read or parsed.  Heavy modules are imported only by
the command that needs them: a pre-commit hook pays for startup on every
commit.
"""

from __future__ import annotations

import sys

from . import display
from .args import Command, Opt, Pos, UsageError
from .kinds import DEFAULT_KIND, KINDS


def _say(message: object) -> None:
    """One message on stderr, escaped (display.py): messages quote paths,
    arguments and configuration values, and many begin with a path."""
    print(display.line(str(message)), file=sys.stderr)


ROOT_HELP = ("the configuration root: no file outside it is read (default: the current folder when the file lies "
             "in it, else the server's prefix folder)")
MAP_HELP = ("read the deployed path TARGET (/etc/nginx) from the repository folder SOURCE (deploy/nginx); "
            "repeatable")


def _mappings(settings, given: list[str], root: str | None, prog: str) -> list:
    """The run's --map and `paths` mappings; a malformed one, or one whose
    source leaves the configuration root, is a usage error."""
    from .config import mappings

    try:
        return mappings(settings, given, root)
    except ValueError as exc:
        raise UsageError(f"{prog}: {exc}") from None


def _split_codes(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [c.strip() for v in values for c in v.split(",") if c.strip()]


def lint_command():
    from . import __version__

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
        Opt("--type", "treat the files given as this kind", choices=tuple(KINDS)),
        Opt("--stdin-filename", "the name of the file read from the standard input (-): it decides the kind, "
                                "names the findings and anchors the includes", metavar="NAME"),
        Opt("--config", "configuration file, a .corslint.toml or a pyproject.toml (default: the nearest one; "
                        "a nearer one governs its folder's files)", metavar="FILE"),
        Opt("--root", ROOT_HELP, metavar="DIR"),
        Opt("--map", MAP_HELP, action="append", metavar="TARGET=SOURCE"),
        Opt("--strict", "also report suppressions that match nothing, and make includes that are not read input "
                        "errors (exit 2) instead of notices", action="flag"),
        Opt("--fix", "apply the fixes that cannot change meaning beyond their finding, then report what remains "
                     "(with -: print the fixed text, and the report on stderr or --output)", action="flag"),
        Opt("--diff", "print the --fix changes as a unified diff; write nothing", action="flag"),
        Opt("--skip-unknown", "skip given files that are no configuration corslint knows (as in a folder walk): "
                              "for pre-commit, which passes every staged file", action="flag"),
        version=f"corslint {__version__}",
    )


def lint_main(argv: list[str]) -> int:
    args = lint_command().parse(argv)
    if not args.paths:
        raise UsageError("corslint: no PATH given (try `corslint --help`)")
    code = _lint(args)
    # --exit-zero: findings never fail the run; what could not be read or run still does
    return 0 if args.exit_zero and code == 1 else code


def _lint(args) -> int:
    stdin = _stdin_name(args)
    paths = [stdin] if stdin else args.paths
    if args.skip_unknown and not args.type and not stdin:
        from .files import recognise
        import os

        # a file that looks like server configuration but is not is kept: the lint lists it as skipped
        paths = [path for path in paths if os.path.isdir(path) or not os.path.exists(path) or any(recognise(path))]

    from .engine import lint

    _check_codes(_split_codes(args.select) or [])
    _check_codes(_split_codes(args.ignore) or [])
    if args.statistics and args.format not in ("text", "json"):
        raise UsageError("corslint: --statistics is printed as text or json (not --format "
                         f"{args.format})")
    settings = _prepared(args, "corslint")
    if settings is None:
        return 2
    settings.layer(_split_codes(args.select), _split_codes(args.ignore) or [])
    if args.fail_on:
        settings.fail_on = args.fail_on
    if stdin and not _read_stdin(stdin):
        return 2
    maps = _mappings(settings, args.map, args.root, "corslint")
    report = lint(paths, settings, args.type, args.root, args.strict, maps)
    if args.fix or args.diff:
        from . import fixes

        store = _stand_in if stdin else fixes.write_atomic
        result = fixes.run(report, lambda: lint(paths, settings, args.type, args.root, args.strict, maps),
                           write=not args.diff, store=store)
        for message in result.messages:
            _say(f"corslint: {message}")
        changed = sum(1 for c in result.changes.values() if c.before != c.after)
        n = len(result.fixed)
        if args.diff:
            if not _write(result.diff if args.output else display.fenced(result.diff), args.output):
                return 2
            _say(f"corslint: {n} finding{'s' if n != 1 else ''} can be fixed in {changed} "
                 f"file{'s' if changed != 1 else ''} (`corslint --fix`)" if n else "corslint: nothing to fix")
            for error in report.errors:
                _say(error)
            return 2 if report.errors else (1 if changed else 0)
        if stdin:
            from .confine import read

            # the fixed text is the output, as ruff's `--fix -`; the report goes to stderr (or --output)
            sys.stdout.buffer.write(read(stdin))
        elif not args.quiet:
            _say(f"corslint: fixed {n} finding{'s' if n != 1 else ''} in {changed} "
                 f"file{'s' if changed != 1 else ''}")
        report = result.report
    text = _render(report, args, settings)
    if stdin and args.fix and not args.output:
        sys.stderr.write(text)
    elif not _write(text, args.output):
        return 2
    for error in report.errors:
        _say(error)
    if report.errors:
        return 2
    if args.strict and report.unused_suppressions:
        return 1
    return 1 if report.failed(settings.fail_on) else 0


def _prepared(args, prog: str):
    """The run's settings (--config, else the nearest configuration file),
    once --base and --output are known to be usable: said before any work
    (or --fix) is done.  None after an error was said (exit 2)."""
    from .config import load
    from .diagnostics import InputError

    if args.base is not None:
        import os

        if not os.path.isdir(args.base):
            raise UsageError(f"{prog}: --base {args.base}: not a folder")
    try:
        settings = load(args.config)
    except InputError as exc:
        _say(f"{prog}: {exc}")
        return None
    if args.output:
        from .confine import output_refusal

        refused = output_refusal(args.output)
        if refused is not None:
            _say(f"{prog}: --output {args.output}: {refused}")
            return None
    return settings


def _render(report, args, settings) -> str:
    """The report in the format asked (--statistics: the count per rule);
    the review formats with paths from the base (report/paths.py) and rule
    links under the configured docs-url."""
    if args.statistics:
        from .report.statistics import render
        return render(report, args.format)
    if args.format in ("json", "sarif", "github", "markdown"):
        from .report.paths import Base

        base = Base.find(args.base)
        if args.format == "json":
            from .report.json import render
            return render(report, base)
        if args.format == "github":
            from .report.github import render
            return render(report, base)
        if args.format == "sarif":
            from .report.sarif import render
        else:
            from .report.markdown import render
        return render(report, base, settings.docs_url)
    from .report.text import render
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
    from .confine import MAX_FILE_BYTES, stand_in

    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        _say(f"corslint: -: the standard input is larger than the {MAX_FILE_BYTES >> 20} MiB corslint reads; "
             f"it was not linted")
        return False
    stand_in(name, data)
    return True


def _stand_in(change) -> None:
    """`--fix -`: a fixed text replaces the standard input's, never the file of its name."""
    from .confine import stand_in

    stand_in(change.path, change.after.encode("utf-8"))


def _check_codes(codes: list[str]) -> None:
    from .config import unknown_code

    for code in codes:
        if unknown_code(code):
            raise UsageError(f"corslint: unknown rule code or slug {code!r} (see `corslint rules`)")


def _write(text: str, output: str | None) -> bool:
    """The report or diff to stdout, or to --output (`confine.write_output`:
    never through a link in the checkout); False, said on stderr, when it
    cannot be written."""
    if not output:
        sys.stdout.write(text)
        return True
    from .confine import write_output

    try:
        write_output(output, text.encode("utf-8"))
    except OSError as exc:
        _say(f"corslint: --output {output}: {exc.strerror or exc}")
        return False
    return True


def simulate_main(argv: list[str]) -> int:
    from .browser import BODIES

    p = Command(
        "corslint simulate", "Predict the server's answers and the browser's verdict for one call. Exit status: 0 "
                             "(whatever the verdict, unless --expect), 1 when the verdict is not --expect's, 2 for a "
                             "usage or input error.",
        Pos("path", "PATH", "the configuration to ask; a folder stands for its nginx.conf, apache2.conf, httpd.conf "
                            "or conf/httpd.conf"),
        Opt("--url", "the URL the page calls: absolute, http:// or https:// (required unless --curl gives it)"),
        Opt("--curl", "DevTools' \"Copy as cURL (bash)\" of the call ('-': read it from stdin): URL, method, headers, "
                      "cookies (= --credentials) and body; Origin is the page's origin; options given too win",
            metavar="'curl ...'"),
        Opt("--origin", "the page's origin: scheme://host[:port], or null (sandboxed iframes, file:// pages) "
                        "(default: https://client.example)"),
        Opt("--method", "the request method (GET)"),
        Opt("--header", "a request header the page sets (repeatable); User-Agent, Accept-Encoding, Referer, DNT or "
                        "Sec-* set the browser's own value (an empty value sends it empty); headers no page can set "
                        "(Origin, Cookie, Host, Access-Control-Request-*...) are errors naming the option to use",
            action="append", metavar="NAME[: VALUE]"),
        Opt("--credentials", "credentials: 'include' / withCredentials", action="flag"),
        Opt("--initiator", "fetch() (default) or XMLHttpRequest (Chromium words some errors differently)",
            choices=("fetch", "xhr")),
        Opt("--body", "the request body (none): text, form and multipart keep a POST simple; json sets "
                      "Content-Type: application/json; stream (fetch) and upload-listener (XHR) always preflight",
            choices=tuple(BODIES)),
        Opt("--content-type", "the Content-Type the page sets (overrides the body's)", metavar="TYPE"),
        Opt("--expect", "exit 1, with one line on stderr, unless the browser's verdict is this (for CI checks; "
                        "\"cannot tell\" is neither)", choices=("allowed", "blocked")),
        Opt("--upstream-status", "the status the proxied backend answers with", metavar="N", convert=int),
        Opt("--upstream-header", "a header the proxied backend sends (repeatable)", action="append",
            metavar="'Name: value'"),
        Opt("--upstream-down", "the proxied backend cannot be reached (down, a closed port): the server "
                               "answers itself and its error pages apply", action="flag"),
        Opt("--check-files", "look static files up on this machine's disk (the configured root) instead of "
                             "assuming", action="flag"),
        Opt("--client-ip", "the client address allow/deny rules see (default: a remote client, 203.0.113.10)",
            metavar="ADDR"),
        Opt("--type", "treat PATH as this kind", choices=tuple(KINDS)),
        Opt("--root", ROOT_HELP, metavar="DIR"),
        Opt("--map", MAP_HELP, action="append", metavar="TARGET=SOURCE"),
        Opt("--format", "text (default) or json", choices=("text", "json"), default="text"),
    )
    args = p.parse(argv)

    import os

    from .diagnostics import InputError
    from .engine import load_model
    from .files import classify
    from .backend import FileOracle, Upstream
    from .fetchheaders import REMOTE_CLIENT
    from . import simcall, simulate

    try:
        call = simcall.build(args, [_header(h) for h in args.header], args.curl and simcall.read_curl(args.curl))
        path = simcall.main_file(args.path, args.type) if os.path.isdir(args.path) else args.path
    except ValueError as exc:
        raise UsageError(f"corslint simulate: {exc}") from None
    upstream = Upstream(args.upstream_status, [_header(h) for h in args.upstream_header],
                        reachable=not args.upstream_down)
    from . import mapping
    from .config import load

    try:
        mapping.use(_mappings(load(), args.map, args.root, "corslint simulate"))
        model = load_model(path, args.type or classify(path) or DEFAULT_KIND, args.root)
    except (InputError, OSError) as exc:
        _say(exc)
        return 2
    errors = model.parsed.errors
    if errors:
        for error in errors:
            _say(error)
        return 2
    from .saferegex import RegexTimeout

    try:
        sims = simulate.run_each(model, call, upstream=upstream, files=FileOracle(on_disk=args.check_files),
                                 client_addr=args.client_ip or REMOTE_CLIENT)
    except RegexTimeout as exc:
        _say(f"corslint simulate: {exc}")
        return 2
    if args.format == "json":
        import json
        sys.stdout.write(display.json_text(json.dumps(simulate.each_to_json(sims), indent=2)) + "\n")
    else:
        sys.stdout.write(simulate.each_to_text(sims))
    unmet = simcall.unmet(sims, args.expect) if args.expect else None
    if unmet:
        _say(f"corslint simulate: --expect {args.expect}: {unmet}")
        return 1
    return 0


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not name.strip() or " " in name.strip():
        raise UsageError(f"corslint simulate: bad header {text!r} (expected 'Name: value')")
    return name.strip(), value.strip()


SURFACE_FORMATS = ("text", "json", "markdown", "html")


def surface_command() -> Command:
    return Command(
        "corslint surface", "Print, per server and scope, the CORS policy a browser meets: who may read (`*`, "
                            "origins, patterns and what they also admit), credentials, methods, headers, exposed "
                            "headers, Max-Age, preflights, and the configuration lines behind each. Exit status: 0; "
                            "1 with --fail-on-widen when the --diff widens the policy; 2 for a usage or input error "
                            "(the surface is still printed).",
        Pos("paths", "PATH", "files or folders to read (with --diff, default: the current folder)", many=True),
        Opt("--format", "text (default), json (the surface document), markdown (a pull-request comment or job "
                        "summary) or html (one self-contained page with the scope x origin matrix)", short="-f",
            choices=SURFACE_FORMATS, default="text"),
        Opt("--output", "write the surface (or the --diff) to FILE; its missing folders are made", short="-o",
            metavar="FILE"),
        Opt("--base", "paths are given relative to DIR (default: the git repository's top level, else the current "
                      "folder)", metavar="DIR"),
        Opt("--type", "treat the files given as this kind", choices=tuple(KINDS)),
        Opt("--root", ROOT_HELP, metavar="DIR"),
        Opt("--map", MAP_HELP, action="append", metavar="TARGET=SOURCE"),
        Opt("--config", "configuration file (trusted-origins, clients, paths), a .corslint.toml or a pyproject.toml "
                        "(default: the nearest one)", metavar="FILE"),
        Opt("--diff", "compare with the surface at the git revision REV (read from git objects; the working tree "
                      "is left alone): print the changes, widening ones marked", metavar="REV"),
        Opt("--fail-on-widen", "with --diff: exit 1 when a change widens who may read what", action="flag"),
    )


def surface_main(argv: list[str]) -> int:
    args = surface_command().parse(argv)
    if not args.paths and args.diff:
        args.paths = ["."]      # what changed here since REV, as `git diff REV` reads it
    if not args.paths:
        raise UsageError("corslint surface: no PATH given (try `corslint surface --help`)")
    if args.fail_on_widen and not args.diff:
        raise UsageError("corslint surface: --fail-on-widen needs --diff REV")
    from .report.paths import Base

    settings = _prepared(args, "corslint surface")
    if settings is None:
        return 2
    maps = _mappings(settings, args.map, args.root, "corslint surface")
    base = Base.find(args.base)
    computed = _Surfaces(settings, args.type, args.root, maps)
    doc, report = computed.at(args.paths, base)
    if args.diff:
        return _surface_diff(args, computed, doc, report, base)
    if not _write(_surface_text(doc, args.format), args.output):
        return 2
    return _surface_said(report)


def _surface_said(report) -> int:
    """The run's input errors and notes (includes not read: the surface may
    miss what they hold) on stderr, as the lint prints them; the exit status."""
    from .report.text import notes

    for error in report.errors:
        _say(error)
    for note in notes(report):
        _say(note)
    return 2 if report.errors else 0


class _Surfaces:
    """One run's way to compute a surface (its settings, --type, --root and
    mappings): for the working tree, and as revision.document_at's
    `compute(paths, base_folder)` for a revision checked out elsewhere."""

    def __init__(self, settings, kind, root, mappings):
        self.settings, self.kind, self.root, self.mappings = settings, kind, root, mappings

    def at(self, paths: list[str], base):
        from .surface.collect import surface

        return surface(paths, self.settings, self.kind, self.root, self.mappings, base)

    def compute(self, paths: list[str], base_folder: str) -> dict:
        from .report.paths import Base

        return self.at(paths, Base(base_folder))[0]


def _surface_text(doc: dict, form: str) -> str:
    """The surface document in the format asked."""
    if form == "json":
        import json

        return display.json_text(json.dumps(doc, indent=2)) + "\n"
    if form == "markdown":
        from .surface.markdown import render
    elif form == "html":
        from .surface.html import render
    else:
        from .surface.text import render
    return render(doc)


def _surface_diff(args, computed: "_Surfaces", after: dict, report, base) -> int:
    """--diff REV: the surface at REV against the working tree's, as the
    diff document in the format asked; --fail-on-widen exits 1 on a widening."""
    from .surface import diff, revision

    before = revision.document_at(args.diff, args.paths, computed.compute)   # UsageError outside a repository
    changes = diff.compare(before, after, args.diff)
    if args.format == "json":
        import json

        text = display.json_text(json.dumps(changes, indent=2)) + "\n"
    elif args.format == "markdown":
        from .surface.markdown import render_diff

        text = render_diff(changes)
    elif args.format == "html":
        from .surface.html import render_diff

        text = render_diff(changes)
    else:
        text = diff.text(changes)
    if not _write(text, args.output):
        return 2
    return _surface_said(report) or (1 if args.fail_on_widen and changes["widens"] else 0)


def rules_main(argv: list[str]) -> int:
    Command("corslint rules", "List every rule.").parse(argv)
    from corslint.rules import RULES

    for rule in RULES:
        print(f"{rule.code}  {rule.name:<36} {rule.severity:<8} {rule.summary}")
    return 0


def explain_main(argv: list[str]) -> int:
    args = Command("corslint explain", "Print a rule's documentation.",
                   Pos("rule", "CODE|SLUG", "a rule code (CORS201) or slug (wildcard-with-credentials)")).parse(argv)
    from corslint.rules import find

    rule = find(args.rule)
    if rule is None:
        raise UsageError(f"corslint explain: unknown rule {args.rule!r} (see `corslint rules`)")
    print(f"{rule.code} ({rule.name}, {rule.severity})\n")
    print(rule.doc.strip())
    return 0


def docs_main(argv: list[str]) -> int:
    args = Command(
        "corslint docs", "Write one Markdown page per rule (CODE.md, plus README.md as the index) from the rule docs.",
        Opt("--output", "folder to write (docs/rules)", metavar="DIR", default="docs/rules"),
        Opt("--check", "write nothing; exit 1 if a page is missing or stale", action="flag"),
    ).parse(argv)
    from corslint.rules import RULES
    from . import ruledocs

    changed = ruledocs.write(args.output, RULES, check=args.check)
    for path in changed:
        print(f"{display.line(path)}: {'out of date' if args.check else 'written'}")
    if args.check and changed:
        _say(f"corslint docs: {len(changed)} page(s) out of date; run `corslint docs --output {args.output}`")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    import gc

    # A lint run builds many small, long-lived objects and exits: the cyclic
    # collector would only re-scan them (it costs a third of a large run).
    gc.disable()
    # Python's re warns about patterns it reads (FutureWarning "Possible nested
    # set" for `[[`): the patterns are the checkout's, and stderr carries only
    # corslint's own messages (`warnings` is loaded at interpreter start-up)
    import warnings

    warnings.simplefilter("ignore", FutureWarning)
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"simulate": simulate_main, "surface": surface_main, "rules": rules_main, "explain": explain_main, "docs": docs_main}
    try:
        if argv and argv[0] in commands:
            return commands[argv[0]](argv[1:])
        return lint_main(argv)
    except UsageError as exc:
        _say(exc)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # never a traceback for the user; CORSLINT_DEBUG=1 shows it
        import os

        if os.environ.get("CORSLINT_DEBUG"):
            raise
        _say(f"corslint: internal error: {type(exc).__name__}: {exc} (please report it; "
             f"CORSLINT_DEBUG=1 shows the traceback)")
        return 2


def entry() -> None:
    """The console script: run, flush, and leave without tearing the heap
    down object by object (on a large configuration that teardown costs as
    much as a fifth of the run)."""
    import os

    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = code or 1
    os._exit(code)


if __name__ == "__main__":
    entry()
