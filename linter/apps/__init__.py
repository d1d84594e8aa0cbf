"""Application frameworks (Django, Flask, Starlette/FastAPI, Express) lowered into the server model.

The application's code is read, never run: Python with `ast`
(code/python.py), JavaScript/TypeScript with tree-sitter (code/javascript.py).
Each framework is a subpackage with the same roles: `source` reads the code,
`cors` holds the CORS package's semantics, and `model` turns both into an
`AppModel` (base.py) that answers requests the way the framework and its
CORS package would; `model.load(path, display)` is what the engine calls.
"""
