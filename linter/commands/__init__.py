"""What the commands of the command line share: messages on stderr,
writing a report, the run's settings and mappings (lint, simulate and
surface each live in a module of their own here; cli.py dispatches)."""

from __future__ import annotations

import sys

from .. import display
from ..args import Opt, UsageError


def say(message: object) -> None:
    """One message on stderr, escaped (display.py): messages quote paths,
    arguments and configuration values, and many begin with a path."""
    print(display.line(str(message)), file=sys.stderr)


def reading_options(what: str) -> tuple[Opt, Opt, Opt]:
    """--type, --root and --map: how lint, simulate and surface read the
    files (`what`: the files the command reads, as its help names them)."""
    from ..kinds import KINDS

    return (Opt("--type", f"treat {what} as this kind", choices=tuple(KINDS)),
            Opt("--root", "the configuration root: no file outside it is read (default: the current folder when the "
                          "file lies in it, else the server's prefix folder)", metavar="DIR"),
            Opt("--map", "read the deployed path TARGET (/etc/nginx) from the repository folder SOURCE "
                         "(deploy/nginx); repeatable", action="append", metavar="TARGET=SOURCE"))


def mappings(settings, given: list[str], root: str | None, prog: str) -> list:
    """The run's --map and `paths` mappings; a malformed one, or one whose
    source leaves the configuration root, is a usage error."""
    from ..config import mappings

    try:
        return mappings(settings, given, root)
    except ValueError as exc:
        raise UsageError(f"{prog}: {exc}") from None


def prepared(args, prog: str):
    """The run's settings (--config, else the nearest configuration file),
    once --base and --output are known to be usable: said before any work
    (or --fix) is done.  None after an error was said (exit 2)."""
    from ..config import load
    from ..diagnostics import InputError

    if args.base is not None:
        import os

        if not os.path.isdir(args.base):
            raise UsageError(f"{prog}: --base {args.base}: not a folder")
    try:
        settings = load(args.config)
    except InputError as exc:
        say(f"{prog}: {exc}")
        return None
    if args.output:
        from ..confine import output_refusal

        refused = output_refusal(args.output)
        if refused is not None:
            say(f"{prog}: --output {args.output}: {refused}")
            return None
    return settings


def write(text: str, output: str | None) -> bool:
    """The report or diff to stdout, or to --output (`confine.write_output`:
    never through a link in the checkout); False, said on stderr, when it
    cannot be written."""
    if not output:
        sys.stdout.write(text)
        return True
    from ..confine import write_output

    try:
        write_output(output, text.encode("utf-8"))
    except OSError as exc:
        say(f"corslint: --output {output}: {exc.strerror or exc}")
        return False
    return True

