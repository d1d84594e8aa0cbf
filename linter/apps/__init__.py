"""Application frameworks (Django, Flask, Starlette/FastAPI, Express) lowered into the server model.

The application's code is read, never run: Python with `ast`
(code/python.py), JavaScript/TypeScript with tree-sitter (code/javascript.py).
Each framework module turns what it reads into an `AppModel` that answers requests the
way the framework and its CORS package would.
"""
