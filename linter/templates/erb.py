"""ERB (Puppet, Chef, Rails): `<%= %>` output, `<% %>` Ruby code, `<%# %>`
comments, `<%%` a literal `<%`.  Ruby's block structure is read from the
code tags' first and last words (`if`/`unless`/`case`/`while`, `... do |x|`,
`elsif`/`else`/`when`, `end`): enough for templates, which keep logic small."""

from __future__ import annotations

import re

from . import scan
from .tree import BRANCH, CLOSE, EXPR, OPEN, SKIP, build

_DELIMITERS = {"<%": "%>"}
_BLOCK_END = re.compile(r"(\bdo|\{)\s*(\|[^|\n]{0,200}\|)?\s*$")


def parse(path: str, text: str, start_ident: int = 0):
    return build(path, scan.tags(path, text, _DELIMITERS, _classify), start_ident)


def _classify(opener: str, inner: str, raw: str, line: int):
    if inner.startswith("%"):
        return None     # `<%%`: a literal `<%`
    if inner.startswith("#"):
        return (SKIP, raw, line, None)
    if inner.startswith("="):
        return (EXPR, raw, line, None)
    code = inner.strip("-= \t\r\n")
    word = code.split(None, 1)[0] if code else ""
    if word in ("if", "unless", "case"):
        return (OPEN, raw, line, "if")
    if word in ("while", "until", "for") or _BLOCK_END.search(code):
        return (OPEN, raw, line, "loop")
    if word in ("elsif", "when"):
        return (BRANCH, raw, line, False)
    if word == "else":
        return (BRANCH, raw, line, True)
    if word == "end" or code == "}":
        return (CLOSE, raw, line, "end")
    return (SKIP, raw, line, None)
