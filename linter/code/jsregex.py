"""Regex literals V8 refuses: an early SyntaxError, so node does not load
the file at all (`node --check`: `SyntaxError: Invalid regular expression:
/(a/: Unterminated group`).

tree-sitter reads a regex literal's text without judging its pattern, and
no JavaScript engine runs here, so the verdict is Python's `re` (the
translation `javascript.compile_regex` uses) limited to the refusals V8
shares in every mode, Annex B's lenient one included: an unterminated group,
an unmatched `)`, a quantifier with nothing to repeat, an unterminated
class, a backwards range of two characters, `{2,1}`, a group name used
twice, and flags V8 does not know or repeated.  Anything else Python
refuses (`\\p{L}`, `[]`, `[\\w-a]` are JavaScript) is no input error: a
pattern V8 may accept is never reported as refused.
"""

from __future__ import annotations

import re

#: Python's `re` error (the start of its message) -> V8's words for the same refusal
_SHARED = (("missing ), unterminated subpattern", "Unterminated group"),
           ("unbalanced parenthesis", "Unmatched ')'"),
           ("nothing to repeat", "Nothing to repeat"),
           ("multiple repeat", "Nothing to repeat"),
           ("unterminated character set", "Unterminated character class"),
           ("bad character range", "Range out of order in character class"),
           ("min repeat greater than max repeat", "numbers out of order in {} quantifier"),
           ("redefinition of group name", "Duplicate capture group name"))
FLAGS = "dgimsuvy"
#: a class escape (`\w`) as a range end: Annex B reads `[\w-a]` as three members, Python refuses it
_CLASS_ESCAPE_RANGE = re.compile(r"bad character range (\\[dDsSwW]-|.*-\\[dDsSwW]$)")


def refusal(pattern: str, flags: str) -> str | None:
    """What node says of `/pattern/flags` when V8 refuses it, None when it
    may accept it."""
    if any(flag not in FLAGS for flag in flags) or len(set(flags)) != len(flags):
        return "Invalid regular expression flags"
    if "[]" in pattern or "[^]" in pattern:
        return None     # classes JavaScript has and Python reads differently: no verdict
    from .javascript import python_pattern

    try:
        re.compile(python_pattern(pattern))
    except re.error as exc:
        said = str(exc.msg)
        if _CLASS_ESCAPE_RANGE.match(said):
            return None
        reason = next((v8 for python, v8 in _SHARED if said.startswith(python)), None)
        return None if reason is None else f"Invalid regular expression: /{pattern}/{flags}: {reason}"
    except (RecursionError, OverflowError):
        return None
    return None


def refused_literals(tree, language) -> list[tuple[int, int, str]]:
    """(line, column, node's message) of each regex literal V8 refuses in a parsed file."""
    from tree_sitter import Query, QueryCursor

    found = []
    for node in QueryCursor(Query(language, "(regex) @regex")).captures(tree.root_node).get("regex", []):
        pattern, flags = node.child_by_field_name("pattern"), node.child_by_field_name("flags")
        said = refusal(pattern.text.decode("utf-8", "replace") if pattern is not None else "",
                       flags.text.decode("utf-8", "replace") if flags is not None else "")
        if said is not None:
            found.append((node.start_point[0] + 1, node.start_point[1] + 1, said))
    return sorted(found)
