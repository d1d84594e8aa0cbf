"""Terraform `templatefile` templates: `${ expr }` interpolations,
`%{ if }`/`%{ else }`/`%{ endif }`, `%{ for }`/`%{ endfor }`; `$${` and
`%%{` are literal."""

from __future__ import annotations

from ..diagnostics import InputError
from . import scan
from .tree import BRANCH, CLOSE, EXPR, OPEN, build

_DELIMITERS = {"${": "}", "%{": "}"}


def parse(path: str, text: str, start_ident: int = 0):
    escaped = text.replace("$${", "\0D{").replace("%%{", "\0P{")
    items = ((kind, _unescape(raw), line, arg)
             for kind, raw, line, arg in scan.tags(path, escaped, _DELIMITERS, _classify(path)))
    return build(path, items, start_ident)


def _unescape(raw: str) -> str:
    return raw.replace("\0D{", "${").replace("\0P{", "%{")


def _classify(path: str):
    def classify(opener: str, inner: str, raw: str, line: int):
        if opener == "${":
            return (EXPR, raw, line, None)
        word = inner.strip("~ \t\r\n").split(None, 1)
        word = word[0] if word else ""
        if word in ("if", "for"):
            return (OPEN, raw, line, "if" if word == "if" else "loop")
        if word == "else":
            return (BRANCH, raw, line, True)
        if word in ("endif", "endfor"):
            return (CLOSE, raw, line, word)
        raise InputError(path, line, f"unknown Terraform template directive {word!r}")
    return classify
