"""Standard-library pieces that moved at Python 3.11, under one name each:
corslint runs on 3.10 too (Ubuntu 22.04's Python, where the pre-commit hook
is built).

- `sre_parse` and `sre_constants`: Python's own regex parser and its
  opcodes (`re._parser` and `re._constants` since 3.11; the old names still
  import there, with a DeprecationWarning).  3.10's parser has no atomic
  groups or possessive repeats: their opcodes are None there, which no
  parsed item is (3.10's `re` refuses such patterns: a server's regex that
  uses them is not probed there, as with any PCRE syntax `re` lacks).
- `tomllib` (3.11) or its original, `tomli` (a dependency on 3.10 only):
  looked up on first use (`from .compat import tomllib`), since most runs
  read no TOML and the parser costs milliseconds to import.
"""

import sys

if sys.version_info >= (3, 11):
    from re import _constants as sre_constants, _parser as sre_parse
else:   # pragma: no cover - Python 3.10
    import sre_parse
    from types import SimpleNamespace

    import sre_constants as _constants

    sre_constants = SimpleNamespace(**vars(_constants), ATOMIC_GROUP=None, POSSESSIVE_REPEAT=None)

__all__ = ["sre_constants", "sre_parse"]   # and `tomllib`, on demand


def __getattr__(name: str):
    """`tomllib`, imported when first asked for (PEP 562)."""
    if name != "tomllib":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if sys.version_info >= (3, 11):
        import tomllib
    else:   # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib
