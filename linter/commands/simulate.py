"""`corslint simulate PATH --url URL`: one cross-origin call, predicted."""

from __future__ import annotations

import sys

from .. import display
from ..args import Command, Opt, Pos, UsageError
from ..kinds import DEFAULT_KIND
from . import mappings, reading_options, say


def main(argv: list[str]) -> int:
    from ..browser import BODIES

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
        *reading_options("PATH"),
        Opt("--format", "text (default) or json", choices=("text", "json"), default="text"),
    )
    args = p.parse(argv)

    import os

    from ..diagnostics import InputError
    from ..engine import load_model
    from ..files import classify
    from ..backend import FileOracle, Upstream
    from ..fetchheaders import REMOTE_CLIENT
    from .. import simcall, simulate

    try:
        call = simcall.build(args, [_header(h) for h in args.header], args.curl and simcall.read_curl(args.curl))
        path = simcall.main_file(args.path, args.type) if os.path.isdir(args.path) else args.path
    except ValueError as exc:
        raise UsageError(f"corslint simulate: {exc}") from None
    upstream = Upstream(args.upstream_status, [_header(h) for h in args.upstream_header],
                        reachable=not args.upstream_down)
    from .. import mapping
    from ..config import load

    try:
        mapping.use(mappings(load(), args.map, args.root, "corslint simulate"))
        model = load_model(path, args.type or classify(path) or DEFAULT_KIND, args.root)
    except (InputError, OSError) as exc:
        say(exc)
        return 2
    errors = model.parsed.errors
    if errors:
        for error in errors:
            say(error)
        return 2
    from ..saferegex import RegexTimeout

    try:
        sims = simulate.run_each(model, call, upstream=upstream, files=FileOracle(on_disk=args.check_files),
                                 client_addr=args.client_ip or REMOTE_CLIENT)
    except RegexTimeout as exc:
        say(f"corslint simulate: {exc}")
        return 2
    if args.format == "json":
        import json
        sys.stdout.write(display.json_text(json.dumps(simulate.each_to_json(sims), indent=2)) + "\n")
    else:
        sys.stdout.write(simulate.each_to_text(sims))
    unmet = simcall.unmet(sims, args.expect) if args.expect else None
    if unmet:
        say(f"corslint simulate: --expect {args.expect}: {unmet}")
        return 1
    return 0


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not name.strip() or " " in name.strip():
        raise UsageError(f"corslint simulate: bad header {text!r} (expected 'Name: value')")
    return name.strip(), value.strip()

