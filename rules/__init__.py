"""corslint rules: one module per rule, its doc in the module docstring.

A rule module holds CODE, NAME, SEVERITY, SUMMARY and `check(ctx)`, which
yields `Hit`s from the answers a `ProbeContext` gives.  Rules never look at
configuration syntax: the same check serves every input format.
"""

from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=1)
def all_rules() -> tuple:
    """Every rule module, ordered by code (imported on first use).  A plain
    listing of the package folder: `pkgutil.iter_modules` would import
    `inspect` and `typing`, and `importlib` `warnings`: 9 ms of a
    pre-commit run."""
    names = {entry.removesuffix(".py") for folder in __path__ for entry in os.listdir(folder)
             if entry.startswith("cors") and entry.endswith(".py")}
    return tuple(__import__(f"{__name__}.{name}", fromlist=["CODE"]) for name in sorted(names))


def find(code_or_slug: str):
    """The rule for `CORS201` or `wildcard-with-credentials` (None if unknown)."""
    wanted = code_or_slug.strip()
    for rule in all_rules():
        if rule.CODE.lower() == wanted.lower() or rule.NAME == wanted.lower():
            return rule
    return None
