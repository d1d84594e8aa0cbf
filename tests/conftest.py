"""Let the tests `import corslint` from a source checkout that is not
installed: register the linter/ folder as the `corslint` package."""

import importlib.util
import sys
from pathlib import Path

import pytest

try:
    import corslint  # noqa: F401
except ImportError:
    _root = Path(__file__).resolve().parent.parent / "linter"
    _init = _root / "__init__.py"
    _spec = importlib.util.spec_from_file_location(
        "corslint", _init, submodule_search_locations=[str(_root)])
    _package = importlib.util.module_from_spec(_spec)
    sys.modules["corslint"] = _package
    if _init.exists():
        _spec.loader.exec_module(_package)


@pytest.fixture
def files(tmp_path: Path):
    """`files(name, text)` writes a file below the test's tmp_path."""
    from support import write

    return lambda name, text: write(tmp_path / name, text)
