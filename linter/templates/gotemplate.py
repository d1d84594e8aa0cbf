"""Go text/template (Helm, consul-template, gomplate): `{{ }}` actions,
`{{/* */}}` comments, `if`/`else if`/`else`/`range`/`with`/`end`, named
templates (`define`, `block`, `template`, Helm's `include`)."""

from __future__ import annotations

import re

from ..diagnostics import InputError
from . import scan
from .tree import BRANCH, CLOSE, DEFINE, EXPR, INCLUDE, OPEN, SKIP, build

_DELIMITERS = {"{{": "}}"}
_NAME = r"""\s*"([^"\n]{1,200})\""""
_INCLUDE = re.compile(r"""^\(?\s*(?:include|template)""" + _NAME)
_INDENT = re.compile(r"\|\s*(nindent|indent)\s+(\d{1,3})\s*$")
_ASSIGN = re.compile(r"^\$[A-Za-z0-9_]*\s*:?=")


def parse(path: str, text: str, start_ident: int = 0):
    return build(path, scan.tags(path, text, _DELIMITERS, _classify(path)), start_ident)


def _classify(path: str):
    def classify(opener: str, inner: str, raw: str, line: int):
        body = inner.strip()
        body = body[1:] if body.startswith("-") and body[1:2] in " \t\r\n" else body
        body = body[:-1] if body.endswith("-") and body[-2:-1] in " \t\r\n" else body
        body = body.strip()
        if body.startswith("/*"):
            return (SKIP, raw, line, None)
        word, _, rest = body.partition(" ")
        if word in ("if", "range", "with"):
            return (OPEN, raw, line, "loop" if word == "range" else "if")
        if word == "else":
            return (BRANCH, raw, line, not rest.strip())
        if word == "end":
            return (CLOSE, raw, line, "end")
        if word in ("define", "block"):
            name = re.match(_NAME, rest)
            if name is None:
                raise InputError(path, line, f"Go template {word} without a quoted name")
            return (DEFINE, raw, line, (name.group(1), word == "block"))
        if word in ("break", "continue") or _ASSIGN.match(body):
            return (SKIP, raw, line, None)
        named = _INCLUDE.match(body)
        if named is not None:
            indent = _INDENT.search(body)
            how = None if indent is None else (indent.group(1) == "nindent", int(indent.group(2)))
            return (INCLUDE, raw, line, (named.group(1), how))
        block = _INDENT.search(body)
        if block is not None or "toYaml" in body:   # a YAML block: an unknown entry, indented as Helm would
            return (EXPR, raw, line, (block is not None and block.group(1) == "nindent",
                                      int(block.group(2)) if block else 0))
        return (EXPR, raw, line, None)
    return classify
