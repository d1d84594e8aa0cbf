"""`corslint rules`, `corslint explain CODE|SLUG` and `corslint docs`:
the rule catalogue and its documentation."""

from __future__ import annotations

from .. import display
from ..args import Command, Opt, Pos, UsageError
from . import say


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
    from .. import ruledocs

    changed = ruledocs.write(args.output, RULES, check=args.check)
    for path in changed:
        print(f"{display.line(path)}: {'out of date' if args.check else 'written'}")
    if args.check and changed:
        say(f"corslint docs: {len(changed)} page(s) out of date; run `corslint docs --output {args.output}`")
        return 1
    return 0

