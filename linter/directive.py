"""One directive of a parsed configuration file, in any server's syntax.

nginx's `name args...;` / `name args... { block }` and Apache's
`Name args...` / `<Section args...> ... </Section>` read into the same
record: the readers differ, the lowerings walk the same tree.
"""

from __future__ import annotations

from .model import Source


class Directive:
    """A directive: its name, arguments, where it stands, and its block
    (None for a simple directive, a list for a block or section)."""

    __slots__ = ("name", "args", "line", "path", "block")

    def __init__(self, name: str, args: list[str], line: int, path: str, block: list["Directive"] | None):
        self.name = name
        self.args = args
        self.line = line
        self.path = path
        self.block = block

    @property
    def source(self) -> Source:
        return Source(self.path, self.line)

    def __repr__(self) -> str:
        return f"<{self.name} {' '.join(self.args)} @{self.path}:{self.line}>"
