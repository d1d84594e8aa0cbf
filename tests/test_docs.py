"""docs/rules/ is generated from the rule docstrings (`corslint docs`): the
committed pages must be what the generator writes today."""

from __future__ import annotations

from pathlib import Path

from corslint import ruledocs
from corslint.rules import RULES, find
from support import corslint

ROOT = Path(__file__).resolve().parent.parent


def test_committed_rule_pages_are_up_to_date():
    result = corslint("docs", "--output", "docs/rules", "--check", cwd=ROOT)
    assert result.returncode == 0, (result.stdout + result.stderr +
                                    "\nregenerate with `corslint docs --output docs/rules`")


def test_generation_writes_one_page_per_rule_and_an_index(tmp_path):
    result = corslint("docs", "--output", str(tmp_path / "rules"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "rules").iterdir())
    assert names == sorted([f"{r.code}.md" for r in RULES] + ["README.md"])
    for rule in RULES:
        page = (tmp_path / "rules" / f"{rule.code}.md").read_text()
        assert page.startswith(ruledocs.GENERATED)
        assert f"# {rule.code}: {rule.name}" in page
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"):
            assert section in page, (rule.code, section)
        assert ruledocs.body(rule) in page          # the doc itself, verbatim
    index = (tmp_path / "rules" / "README.md").read_text()
    assert all(f"[{r.code}]({r.code}.md)" in index for r in RULES)
    # the same text `corslint explain` prints
    explain = corslint("explain", "CORS405", cwd=tmp_path).stdout
    assert ruledocs.body(find("CORS405")) in explain
    assert "## Automatic fix" in explain


def test_check_reports_stale_and_leftover_pages(tmp_path):
    out = tmp_path / "rules"
    assert corslint("docs", "--output", str(out), cwd=tmp_path).returncode == 0
    (out / "CORS201.md").write_text("hand-edited\n")
    (out / "CORS999.md").write_text("a rule that does not exist\n")
    check = corslint("docs", "--output", str(out), "--check", cwd=tmp_path)
    assert check.returncode == 1
    assert "CORS201.md: out of date" in check.stdout and "CORS999.md: out of date" in check.stdout
    assert (out / "CORS201.md").read_text() == "hand-edited\n"          # --check writes nothing
    assert corslint("docs", "--output", str(out), cwd=tmp_path).returncode == 0
    assert not (out / "CORS999.md").exists()
    assert corslint("docs", "--output", str(out), "--check", cwd=tmp_path).returncode == 0


def test_every_rule_doc_has_the_sections_in_order():
    """The shape `corslint explain` and the pages rely on: the five sections,
    then, for a rule `corslint --fix` repairs, what the fix does."""
    shape = ["What it does", "Why is this bad?", "Example", "Use instead", "References"]
    for rule in RULES:
        sections = ruledocs.sections(rule)
        assert list(sections) in (shape, [*shape, "Automatic fix"]), rule.code
        if "Automatic fix" in sections:
            assert sections["Automatic fix"].startswith("`corslint --fix` (preview: `--diff`): "), rule.code
