"""`${VAR}` in the paths of compose files and Dockerfiles.

Both spell a value from variables the repository does not hold (`.env`,
the shell, `--build-arg`): only what the file itself says is known — a
default (`${VAR:-default}`, `${VAR-default}`) or a value the file sets
(Dockerfile `ARG`/`ENV`, compose build `args`).  A path that needs a value
nobody wrote down is unknown (None): the caller says so instead of
guessing.  Values are capped (`expansion.Budget`): a chain of `ENV`s that
doubles at each line is unknown, never a gigabyte.
"""

from __future__ import annotations

import re

from ..expansion import Budget

#: `$$` (compose's escape), `${NAME...}` with an optional `-`, `:-`, `+`, `:+`
#: operand (no nested braces), or `$NAME`
_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([^{}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


class Unknown(Exception):
    """A value needs a variable the repository gives no value for."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def substitute(text: str, values: dict[str, str], budget: Budget, escape: bool = False) -> str:
    """`text` with its variables replaced from `values` (or their
    defaults); `escape`: `$$` is a literal `$` (compose).  Raises Unknown
    naming the first variable without a value (or whose value is too large)."""
    def replace(match: re.Match) -> str:
        if match.group(0) == "$$":
            if escape:
                return "$"
            raise Unknown("$")
        name = match.group(1) or match.group(4)
        operator, operand = match.group(2), match.group(3) or ""
        value = values.get(name)
        unset = value is None or (operator is not None and operator.startswith(":") and value == "")
        if operator in ("-", ":-"):
            value = operand if unset else value
        elif operator in ("+", ":+"):
            value = "" if unset else operand
        elif unset:
            raise Unknown(name)
        if not budget.admits(value):
            raise Unknown(name)
        return value

    return _VARIABLE.sub(replace, text)
