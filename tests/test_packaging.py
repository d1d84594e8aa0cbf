"""The installed package is built from an explicit list of subpackages in
pyproject.toml (the folders are mapped onto `corslint`): a new package that
is missing from the list would work in an editable install and vanish from
the wheel users get."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def packages_on_disk() -> set[str]:
    """`corslint.*` names of every folder holding Python modules under the
    mapped folders (`linter/` is `corslint`, `rules/` is `corslint.rules`)."""
    mapping = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    found = set()
    for package, folder in mapping.items():
        for module in (ROOT / folder).rglob("*.py"):
            found.add(".".join((package, *module.parent.relative_to(ROOT / folder).parts)))
    return found


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    assert packages_on_disk() == listed
