"""The package's declaration in pyproject.toml and the files around it agree.

The installed package is built from an explicit list of subpackages (the
folders are mapped onto `corslint`): a new package that is missing from the
list would work in an editable install and vanish from the wheel users get.
The version and the repository's address are written once, in
`corslint/__init__.py`; the test pins are in requirements-test.txt, which the
README's test command and CI's script install the same way."""

from __future__ import annotations

import re
from pathlib import Path

import corslint
from corslint.compat import tomllib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def packages_on_disk() -> set[str]:
    """`corslint.*` names of every folder holding Python modules under the
    mapped folders (`linter/` is `corslint`, `rules/` is `corslint.rules`)."""
    found = set()
    for package, folder in PYPROJECT["tool"]["setuptools"]["package-dir"].items():
        for module in (ROOT / folder).rglob("*.py"):
            found.add(".".join((package, *module.parent.relative_to(ROOT / folder).parts)))
    return found


def test_every_package_folder_is_listed_in_pyproject():
    assert packages_on_disk() == set(PYPROJECT["tool"]["setuptools"]["packages"])


def test_the_version_is_read_from_the_package():
    assert "version" not in PYPROJECT["project"] and PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "corslint.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", corslint.__version__)
    assert f"## [{corslint.__version__}]" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_project_urls_are_the_repository_sarif_names():
    urls = PYPROJECT["project"]["urls"]
    assert urls["Homepage"] == urls["Repository"] == corslint.REPOSITORY
    assert set(urls) == {"Homepage", "Repository", "Documentation", "Changelog", "Issues"}
    assert all(url.startswith(corslint.REPOSITORY + "/") for name, url in urls.items() if name not in
               ("Homepage", "Repository")), urls


def test_the_license_is_spdx_with_its_file():
    assert PYPROJECT["project"]["license"] == "MIT"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    assert "Copyright (c) 2026 the corslint developers" in (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_published_metadata_pins_nothing():
    """An exact pin in a published requirement forces it on every user's
    environment; the frameworks the live tests compare with are pinned in
    requirements-test.txt instead."""
    assert "optional-dependencies" not in PYPROJECT["project"]
    assert not [r for r in PYPROJECT["project"]["dependencies"] if "==" in r]
    tests_need = (ROOT / "requirements-test.txt").read_text(encoding="utf-8")
    for name in ("pytest", "Django==", "flask==", "starlette==", "build", "twine"):
        assert re.search(rf"^{re.escape(name)}", tests_need, re.MULTILINE), name


def test_readme_and_ci_install_and_test_alike():
    """The README's second command is CI's, verbatim: what CI proves is what
    a contributor runs."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.search(r"```sh\n(.*?)```", readme, re.DOTALL).group(1).splitlines()
    assert commands[1] == "pip install . -r requirements-test.txt && python -m pytest -q"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith(commands[1]) for line in ci), commands[1]
    assert "pip install corslint" in readme and "Python 3.10" in readme
