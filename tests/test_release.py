"""What a release publishes: the sdist and wheel `python -m build` makes.

One build of a copy of this checkout (the checkout itself is never written:
a build leaves `build/` and `*.egg-info` where it runs), then: `twine check`
passes both files; the wheel's metadata carries the SPDX license, the
supported Pythons and no exact pin (the test pins live in
requirements-test.txt); the sdist holds every file of the checkout but
NOT_SHIPPED; and once unpacked its own tests run against the package built
from it.  About 30 s, mostly that last run (the samples are linted once).
"""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import corslint

pytestmark = pytest.mark.release
ROOT = Path(__file__).resolve().parent.parent
#: what the checkout holds that the sdist leaves out
NOT_SHIPPED = {".gitignore"}
#: what a checkout may hold that is no part of it (.gitignore's list, and git's own folder)
LOCAL = shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis", "build",
                               "dist", ".venv", "node_modules")
#: the part of the sdist's own suite that runs from the unpacked tree: a sample linted, the rule registry
SUBSET = ("tests/test_rule_registry.py", "tests/test_samples.py", "-k",
          "registry or cors201-wildcard-credentials or every_rule_has")


def _need(module: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        reason = f"{module} is not installed (pip install -r requirements-test.txt)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


def _run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _files(tree: Path) -> set[str]:
    return {str(p.relative_to(tree)) for p in tree.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> dict[str, Path]:
    """{"source": the checkout's copy, "sdist", "wheel", "tmp": their folder}, built without network
    (`--no-isolation`: the setuptools of requirements-test.txt builds it)."""
    _need("build")
    tmp = tmp_path_factory.mktemp("release")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=LOCAL, symlinks=True)
    _run("-m", "build", "--no-isolation", "--outdir", str(tmp / "dist"), str(source), cwd=tmp)
    sdist, = (tmp / "dist").glob("corslint-*.tar.gz")
    wheel, = (tmp / "dist").glob("corslint-*.whl")
    return {"source": source, "sdist": sdist, "wheel": wheel, "tmp": tmp}


def test_twine_check_passes(release):
    _need("twine")
    done = _run("-m", "twine", "check", "--strict", str(release["sdist"]), str(release["wheel"]), cwd=release["tmp"])
    assert done.stdout.count("PASSED") == 2, done.stdout


def test_wheel_metadata_has_the_license_and_no_pins(release):
    with zipfile.ZipFile(release["wheel"]) as wheel:
        info = f"corslint-{corslint.__version__}.dist-info"
        metadata = email.message_from_string(wheel.read(f"{info}/METADATA").decode("utf-8"))
        assert f"{info}/licenses/LICENSE" in wheel.namelist()
    assert metadata["Version"] == corslint.__version__
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Requires-Python"] == ">=3.10"
    assert "Programming Language :: Python :: 3.10" in metadata.get_all("Classifier")
    requires = metadata.get_all("Requires-Dist")
    assert not [r for r in requires if "==" in r], requires
    assert not metadata.get_all("Provides-Extra"), "the test pins are in requirements-test.txt, not an extra"
    assert all(url.split(", ", 1)[1].startswith(corslint.REPOSITORY) for url in metadata.get_all("Project-URL"))


def test_sdist_holds_the_whole_checkout(release):
    with tarfile.open(release["sdist"]) as sdist:
        top = f"corslint-{corslint.__version__}/"
        shipped = {name.removeprefix(top) for name in sdist.getnames()}
    missing = _files(release["source"]) - NOT_SHIPPED - shipped
    assert not missing, sorted(missing)


def test_unpacked_sdist_tests_pass_against_its_own_package(release):
    tmp = release["tmp"]
    with tarfile.open(release["sdist"]) as sdist:
        sdist.extractall(tmp / "unpacked", filter="data")
    tree, = (tmp / "unpacked").iterdir()
    with zipfile.ZipFile(release["wheel"]) as wheel:   # the wheel `build` made from this very sdist
        wheel.extractall(tmp / "site")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(tmp / "site"), os.environ.get("PYTHONPATH"))))}
    where = _run("-c", "import corslint; print(corslint.__file__)", cwd=tree, env=env).stdout.strip()
    assert Path(where).is_relative_to(tmp / "site"), where
    done = _run("-m", "pytest", "-q", "-p", "no:cacheprovider", *SUBSET, cwd=tree, env=env)
    assert " passed" in done.stdout and "failed" not in done.stdout, done.stdout[-2000:]
