"""Jinja2 (Ansible `templates/*.j2`, Salt, SaltStack): `{{ }}` expressions,
`{% %}` statements, `{# #}` comments."""

from __future__ import annotations

import re

from ..diagnostics import InputError
from . import scan
from .tree import BRANCH, CLOSE, EXPR, INCLUDE, OPEN, SKIP, build

_DELIMITERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
#: statements that open a block whose body is rendered, and the one that closes it
_ALWAYS = {"block", "with", "filter", "autoescape", "call"}
#: statements that open a block whose body is not output here (a definition)
_DEFINITIONS = {"macro", "set"}
#: statements that print nothing
_QUIET = {"set", "extends", "import", "from", "do", "break", "continue", "trans", "pluralize", "endtrans"}
_LITERAL = re.compile(r"""\s*(['"])([^'"\n]{1,500})\1""")


def parse(path: str, text: str, start_ident: int = 0):
    return build(path, _items(path, text), start_ident)


def _items(path: str, text: str):
    raw_until = None
    for item in scan.tags(path, text, _DELIMITERS, _classify(path)):
        if raw_until is not None:   # inside {% raw %}: everything is text until {% endraw %}
            if item[0] == CLOSE and item[3] == "endraw":
                raw_until = None
                yield (SKIP, item[1], item[2], None)
            else:
                yield ("text", item[1], item[2], None)
            continue
        if item[0] == OPEN and item[3] == "raw":
            raw_until = item
            yield (SKIP, item[1], item[2], None)
            continue
        yield item


def _classify(path: str):
    def classify(opener: str, inner: str, raw: str, line: int):
        if opener == "{#":
            return (SKIP, raw, line, None)
        body = inner.strip("-+ \t\r\n")
        if opener == "{{":
            return (EXPR, raw, line, None)
        word, _, rest = body.partition(" ")
        word = word.strip()
        if word in ("if", "for"):
            return (OPEN, raw, line, "if" if word == "if" else "loop")
        if word == "elif":
            return (BRANCH, raw, line, False)
        if word == "else":
            return (BRANCH, raw, line, True)
        if word == "raw":
            return (OPEN, raw, line, "raw")
        if word == "endraw":
            return (CLOSE, raw, line, "endraw")
        if word == "set" and "=" not in rest:   # {% set x %}...{% endset %}: a definition
            return ("define", raw, line, (f"set {rest.strip()}", False))
        if word in _DEFINITIONS - {"set"}:
            return ("define", raw, line, (f"{word} {rest.strip()}", False))
        if word in _ALWAYS:
            return (OPEN, raw, line, "always")
        if word.startswith("end") and (word[3:] in ("if", "for", "raw", "set") or word[3:] in _ALWAYS
                                       or word[3:] in _DEFINITIONS):
            return (CLOSE, raw, line, word)
        if word == "include":
            literal = _LITERAL.match(rest)
            return (INCLUDE, raw, line, literal.group(2) if literal else None)
        if word in _QUIET:
            return (SKIP, raw, line, None)
        raise InputError(path, line, f"unknown Jinja statement {word!r}: corslint cannot render this template")
    return classify
