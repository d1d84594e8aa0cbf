"""What every framework model shares: routes and their scopes."""

from __future__ import annotations

import re

from ..model import Parsed, Scope, ServerModel, Source
from ..record import field, record


@record
class Route:
    """A route the application serves: its URL pattern (as the framework
    writes it), the methods it accepts (None: every method) and where it
    is declared.  `example` is a concrete path that reaches it."""

    pattern: str
    methods: tuple[str, ...] | None
    source: Source
    example: str
    #: framework-specific extras (the per-route cors() options of Express, say)
    extra: dict = field(default_factory=dict)


class AppModel(ServerModel):
    """An application with a CORS layer.  Subclasses implement `answer` with
    their framework's semantics; `scopes` are the routes (plus `/` when the
    CORS layer applies to every path)."""

    base_url = "http://app.example"

    def __init__(self, path: str, parsed: Parsed, routes: list[Route]):
        self.path = path
        self.parsed = parsed
        self.routes = routes

    def scopes(self) -> list[Scope]:
        out = []
        for route in self.routes or [Route("/", None, Source(self.path, 1), "/")]:
            out.append(self.scope_for(route))
        return out

    def scope_for(self, route: Route) -> Scope:
        """Subclasses refine the facts (origin patterns, methods served)."""
        return Scope(name=f"route {route.pattern}", url=self.base_url + route.example, source=route.source,
                     proxied=False, static=False,
                     served_methods=tuple(m for m in (route.methods or ()) if m not in ("HEAD", "OPTIONS")))


def example_path(pattern: str) -> str:
    """A concrete path for a route pattern: `/users/<int:id>` -> `/users/1`,
    `/items/{item_id}` -> `/items/1`, `/files/:name` -> `/files/x`."""
    path = re.sub(r"<(?:int|float):[^>]+>", "1", pattern)
    path = re.sub(r"<[^>]+>", "x", path)
    path = re.sub(r"\{[^}]+\}", "1", path)
    path = re.sub(r":[A-Za-z_]\w*\??", "x", path)
    path = path.replace("*", "x")
    return path if path.startswith("/") else "/" + path

