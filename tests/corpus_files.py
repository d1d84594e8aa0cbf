"""The shared corpus of real configurations (../shared/corpus), read in place.

Without ../shared the corpus tests skip with a visible reason; on CI
(CI=true) they fail instead, so a missing corpus never passes silently.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
#: public data files the tests read in place (the SARIF schema)
SHARED_DATA = REPO.parent / "shared" / "data"
MISSING = "<corpus missing>"
_ENTRY = re.compile(r"^## `([^`]+)`\n- \*\*format\*\*: (\S+)", re.MULTILINE)


def require_shared(folder: Path, what: str) -> Path:
    """`folder` of ../shared, or a visible skip without it (a failure on CI)."""
    if not folder.is_dir():
        message = f"{what} not found at {folder}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (required on CI)")
        pytest.skip(message)
    return folder


def require_corpus() -> Path:
    return require_shared(CORPUS, "shared corpus")


def manifest_files(kind: str) -> list[str]:
    """`folder/name` of every file a corpus MANIFEST.md lists in this format
    ([MISSING] without the corpus, so parametrized tests still run and fail or skip)."""
    out: list[str] = []
    if CORPUS.is_dir():
        for manifest in sorted(CORPUS.glob("*/MANIFEST.md")):
            for name, found in _ENTRY.findall(manifest.read_text(encoding="utf-8")):
                if found == kind:
                    out.append(f"{manifest.parent.name}/{name}")
    return out or [MISSING]


def lint_corpus_file(rel: str, kind: str):
    """(path, report) of one corpus file linted as `kind` (with the default settings)."""
    from corslint.config import Settings
    from corslint.engine import lint

    path = require_corpus() / rel
    assert path.is_file(), f"{rel} is listed in a MANIFEST.md but missing"
    return str(path), lint([str(path)], Settings(), forced_kind=kind)
