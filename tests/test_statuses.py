"""apps/statuses.py: the status a view declares, else unknown (never a guessed 200).
The live tests check the declared ones on real Flask and FastAPI
(samples/flask/good-declared-statuses.py, samples/starlette/good_declared_statuses.py)."""

from __future__ import annotations

import ast

import pytest
from corslint.apps.statuses import fastapi_status, flask_status, response_status


def func(source: str):
    return ast.parse(source).body[0]


@pytest.mark.parametrize("body, status", [
    ('return "", 204', 204),
    ("return jsonify(x), 201, {'X': '1'}", 201),
    ("return jsonify(x)", 200),
    ("return {'a': 1}", 200),
    ("if x:\n        return 'a', 201\n    return 'b', 201", 201),
    ("if x:\n        return 'a', 201\n    return 'b'", None),      # two statuses: unknown
    ("return make_thing()", None),                                 # built elsewhere
    ("abort(404)", None),                                          # no return
    ("def inner():\n        return 'x', 500\n    return 'ok'", 200),  # a nested function's return is not the view's
])
def test_flask_view_status(body, status):
    assert flask_status(func(f"def view():\n    {body}\n")) == status


@pytest.mark.parametrize("decorator, body, status", [
    ('@app.post("/x", status_code=201)', "return {'id': 1}", 201),
    ('@app.post("/x", status_code=status.HTTP_202_ACCEPTED)', "return item", 202),
    ('@app.delete("/x")', "return Response(status_code=204)", 204),
    ('@app.get("/x")', "return RedirectResponse('/y')", 307),
    ('@app.get("/x")', "return JSONResponse(x, status_code=code)", None),
    ('@app.get("/x", status_code=code)', "return 1", None),
])
def test_fastapi_path_operation_status(decorator, body, status):
    node = func(f"{decorator}\ndef view():\n    {body}\n")
    assert fastapi_status(node, node.decorator_list[0]) == status


def test_starlette_endpoint_returns_only_responses():
    assert response_status(func("async def home(request):\n    return PlainTextResponse('ok')\n"), None) == 200
    assert response_status(func("async def home(request):\n    return make(request)\n"), None) is None
    assert response_status(None, None) is None
