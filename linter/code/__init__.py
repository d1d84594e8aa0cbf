"""Reading source code without running it, for every input kind that is code.

Python with `ast` (code/python.py), JavaScript/TypeScript with tree-sitter
(code/javascript.py).  Both evaluate only what a file spells as constants;
anything else is an `Unknown` (code/values.py) that says what it depends on.
No framework lives here: the framework readers under linter/apps/ build on
these.
"""
