"""envsubst templates (the official nginx image's `/etc/nginx/templates/
*.template`): `${NAME}` and `$NAME` of an environment variable become
unknown values.  The image substitutes only variables set in the
container's environment, which are upper-case by convention; nginx's own
variables (`$host`, `${request_uri}`) are lower-case and stay."""

from __future__ import annotations

import re

from .tree import EXPR, TEXT, build

_VARIABLE = re.compile(r"\$\{[A-Z_][A-Z0-9_]{0,200}\}|\$[A-Z_][A-Z0-9_]{0,200}\b")


def parse(path: str, text: str, start_ident: int = 0):
    return build(path, _items(text), start_ident)


def _items(text: str):
    pos = 0
    line = 1
    for match in _VARIABLE.finditer(text):
        if not any(c.isupper() for c in match.group()):
            continue    # `$_` alone
        if match.start() > pos:
            yield (TEXT, text[pos:match.start()], line, None)
            line += text.count("\n", pos, match.start())
        yield (EXPR, match.group(), line, None)
        pos = match.end()
    if pos < len(text):
        yield (TEXT, text[pos:], line, None)
