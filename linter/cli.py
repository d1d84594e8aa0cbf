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

from .args import UsageError
from .commands import say

#: subcommand -> (module under linter/commands/, function): each is imported
#: only when asked for, so a lint run loads no simulate or surface code
COMMANDS = {"simulate": ("simulate", "main"), "surface": ("surface", "main"), "rules": ("rules", "rules_main"),
            "explain": ("rules", "explain_main"), "docs": ("rules", "docs_main")}


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
    name = argv[0] if argv and argv[0] in COMMANDS else None
    module, function = COMMANDS.get(name, ("lint", "main"))
    try:
        # __import__, not importlib: importing importlib costs start-up (tests/test_startup.py)
        run = getattr(__import__(f"{__package__}.commands.{module}", fromlist=[function]), function)
        return run(argv[1:] if name else argv)
    except UsageError as exc:
        say(exc)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # never a traceback for the user; CORSLINT_DEBUG=1 shows it
        import os

        if os.environ.get("CORSLINT_DEBUG"):
            raise
        say(f"corslint: internal error: {type(exc).__name__}: {exc} (please report it; "
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
