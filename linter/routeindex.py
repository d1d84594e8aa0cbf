"""An index of routes by the literal path segments they start with.

A framework router, an Ingress or a gateway matches a request against its
routes one by one; every scope of a model asks a few requests, so doing
the same is quadratic in routes.  The index narrows each request to the
routes whose literal head leads to its path; the caller still matches
those, in their order, with the framework's own semantics.
"""

from __future__ import annotations


class PathIndex:
    """Items (routes, router layers, gates) by the literal path segments
    that every path they match starts with.

    `heads[i]` is item i's *head*: a literal prefix of every path item i
    matches, ending with `/` where a segment of the path ends; only its
    whole segments count (`/api/v1/us` indexes `api`, `v1`).  None or `""`:
    the item may match any path.  `fold` maps a segment to its lookup key
    on both sides (case-insensitive routers)."""

    def __init__(self, heads, fold=None):
        self._fold = fold or (lambda segment: segment)
        self._size = 0
        self._root = _PathNode()
        for position, head in enumerate(heads):
            node = self._root
            for segment in (head.split("/")[1:-1] if head and head.startswith("/") else ()):
                key = self._fold(segment)
                node = node.children.get(key) or node.children.setdefault(key, _PathNode())
            node.positions.append(position)
            self._size = position + 1

    def candidates(self, path: str) -> list[int]:
        """Positions of the items that may match `path`, in order (a superset:
        the caller still matches each)."""
        if not path.startswith("/"):
            return list(range(self._size))
        node = self._root
        found = [node.positions]
        for segment in path.split("/")[1:]:
            node = node.children.get(self._fold(segment))
            if node is None:
                break
            if node.positions:
                found.append(node.positions)
        return found[0] if len(found) == 1 else sorted(p for positions in found for p in positions)


class _PathNode:
    __slots__ = ("children", "positions")

    def __init__(self):
        self.children: dict[str, _PathNode] = {}
        self.positions: list[int] = []
