"""The status a view declares in its own code, read with `ast` (never run).

Why: a route's answer is the view's, and the view is code the linter does
not run; what it can read is what the code spells.  Only a status every
`return` of the view agrees on is taken; anything else (a value built
elsewhere, `abort()`, a Response whose status is computed, a view with no
`return`) leaves the status unknown instead of assuming 200.

- Flask (`Flask.make_response`): `return body, 204` (or `body, 204,
  headers`) is that status; a str, bytes, dict or list display, f-string,
  `jsonify(...)` or `render_template(...)` is 200.
- FastAPI: a returned value is serialized with the route's `status_code`
  (200 unless the decorator says `status_code=201`, or
  `status.HTTP_201_CREATED`); a returned `...Response(...)` call keeps its
  own `status_code=` (JSONResponse and friends default to 200;
  RedirectResponse to 307).  Starlette endpoints return Responses only.
"""

from __future__ import annotations

import ast

#: Flask helpers whose response is 200
FLASK_OK_CALLS = frozenset({"jsonify", "render_template", "render_template_string", "send_file",
                            "send_from_directory"})
#: Starlette responses' default status (RedirectResponse: 307)
RESPONSE_DEFAULTS = {"RedirectResponse": 307}


def returns(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr | None]:
    """The values of the function's own `return` statements (not of nested
    functions or classes); None for a bare `return`."""
    out: list[ast.expr | None] = []
    stack: list[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Return):
            out.append(node.value)
        stack.extend(ast.iter_child_nodes(node))
    return out


def _agreed(statuses: list[int | None]) -> int | None:
    return statuses[0] if statuses and None not in statuses and len(set(statuses)) == 1 else None


def _int(node: ast.AST | None) -> int | None:
    """An int literal status, or `status.HTTP_201_CREATED` (Starlette's and
    FastAPI's constants spell their number)."""
    if isinstance(node, ast.Attribute) and node.attr.startswith("HTTP_") and node.attr[5:8].isdigit():
        return int(node.attr[5:8])
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool) \
            and 100 <= node.value <= 599:
        return node.value
    return None


def _called(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return None


def flask_status(func: ast.FunctionDef | ast.AsyncFunctionDef | None) -> int | None:
    """The status a Flask view returns on every path, or None."""
    if func is None:
        return None
    statuses = []
    for value in returns(func):
        if isinstance(value, ast.Tuple) and len(value.elts) in (2, 3):
            statuses.append(_int(value.elts[1]))
        elif isinstance(value, (ast.Dict, ast.List, ast.JoinedStr)) or \
                isinstance(value, ast.Constant) and isinstance(value.value, (str, bytes)) or \
                _called(value) in FLASK_OK_CALLS:
            statuses.append(200)
        else:
            statuses.append(None)
    return _agreed(statuses)


def fastapi_status(func: ast.FunctionDef | ast.AsyncFunctionDef | None, declaring: ast.Call) -> int | None:
    """The status a FastAPI path operation (its decorator or add_api_route
    call: `declaring`) answers with on every path, or None."""
    declared = next((k.value for k in declaring.keywords if k.arg == "status_code"), None)
    return response_status(func, 200 if declared is None else _int(declared))


def response_status(func: ast.FunctionDef | ast.AsyncFunctionDef | None, serialized: int | None) -> int | None:
    """The status of what the endpoint returns on every path: a
    `...Response(...)` call's own, anything else `serialized` (FastAPI: the
    route's status_code; Starlette, which sends only Responses: None)."""
    if func is None:
        return None
    statuses = []
    for value in returns(func) or [None]:
        name = _called(value)
        if name is not None and name.endswith("Response"):
            given = next((k.value for k in value.keywords if k.arg == "status_code"), None)
            statuses.append(_int(given) if given is not None else RESPONSE_DEFAULTS.get(name, 200))
        else:
            statuses.append(serialized)
    return _agreed(statuses)
