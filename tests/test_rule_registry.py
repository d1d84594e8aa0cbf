"""The rule registry (`corslint.rules.RULES`) and the rules folder agree:
a rule module nobody lists would never run, a listed one that is missing
would fail only when a lint reaches it."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import corslint.rules
from corslint.rules import RULES, find

FOLDER = os.path.dirname(corslint.rules.__file__)


def test_every_rule_module_is_listed_once():
    modules = sorted(entry.removesuffix(".py") for entry in os.listdir(FOLDER)
                     if re.fullmatch(r"cors\d{3}_\w+\.py", entry))
    assert sorted(rule.module for rule in RULES) == modules


def test_every_listed_module_exists_and_defines_check():
    for rule in RULES:
        assert os.path.isfile(os.path.join(FOLDER, f"{rule.module}.py")), rule.module
        assert callable(rule.check), rule.code
        assert rule.doc, rule.code


def test_codes_are_unique_and_ordered():
    codes = [rule.code for rule in RULES]
    assert all(re.fullmatch(r"CORS\d{3}", code) for code in codes), codes
    assert codes == sorted(set(codes))
    slugs = [rule.name for rule in RULES]
    assert len(set(slugs)) == len(slugs)


def test_entries_match_their_modules():
    """The module is named for code and slug, the summary is the doc's first
    line (the table holds it so `corslint rules` imports no rule module)."""
    for rule in RULES:
        assert rule.module == f"{rule.code.lower()}_{rule.name.replace('-', '_')}", rule.code
        assert rule.severity in ("error", "warning", "info"), rule.code
        assert rule.doc.strip().splitlines()[0] == f"{rule.summary}.", rule.code


def test_find_takes_a_code_or_a_slug():
    assert find("cors201") is find("wildcard-with-credentials") is RULES[5]
    assert find(" CORS201 ").name == "wildcard-with-credentials"
    assert find("CORS999") is None


def test_listing_the_rules_imports_no_rule_module():
    probe = ("import contextlib, io, sys\n"
             "from corslint.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    main(['rules'])\n"
             "print(sorted(m for m in sys.modules if m.startswith('corslint.rules.')))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "[]", run.stdout + run.stderr
