"""`--format markdown`: the report for a GitHub job summary or a
pull-request comment, run through the real CLI and rendered by cmark-gfm
(GitHub's own Markdown renderer, `cmarkgfm`) to check what a reader sees,
hostile file names and configuration values included."""

from __future__ import annotations

import re

import cmarkgfm
from cmarkgfm.cmark import Options
from support import ALLOW_ANY, ALLOW_CREDENTIALS, CLEAN, WILDCARD_CREDENTIALS, api_server, corslint, write

RULE_PAGE = "https://github.com/corslint/corslint/blob/main/docs/rules/"
#: what a file name or configuration value may try in a comment: a table
#: cell break, a code span break, HTML, a link, an autolink, a mention, an
#: issue reference, a terminal escape
HOSTILE = "a|b``c<script>alert(1)<\u2215script> @octocat [x](https:\u2215\u2215evil.example) www.evil.example #1\x1b[31m"


def html(markdown: str) -> str:
    """As GitHub renders it: raw HTML kept (GitHub sanitizes it afterwards,
    allowing `<details>` and `<br>`), so none may come from the checkout."""
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def cells(page: str) -> list[list[str]]:
    """The table's body rows, as the HTML of their cells."""
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)[1:]]


def test_findings_table_with_counts_and_rule_links(tmp_path):
    write(tmp_path / "deploy" / "api.conf", WILDCARD_CREDENTIALS)
    result = corslint("--format", "markdown", "deploy", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "### corslint: Found 1 problem (1 error) in 1 file"
    page = html(result.stdout)
    [row] = cells(page)
    assert row[0] == "<code>deploy/api.conf:5</code>"
    assert row[1] == f'<a href="{RULE_PAGE}CORS201.md" title="wildcard-with-credentials">CORS201</a>'
    assert row[2] == "error"
    assert row[3].startswith("<code>Access-Control-Allow-Origin is '*' while")
    assert "request: <code>GET /api/ from https://client.example (credentials)</code>" in row[3]
    assert "related: <code>deploy/api.conf:6: Access-Control-Allow-Credentials: true</code>" in row[3]


def test_clean_run_says_no_problems_found(tmp_path):
    write(tmp_path / "static.conf", CLEAN)
    result = corslint("--format", "markdown", "static.conf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "### corslint: No problems found in 1 file\n"


def test_input_errors_and_notes_are_said(tmp_path):
    write(tmp_path / "broken.conf", "server {\n    listen 80;\n")
    write(tmp_path / "site.conf", "server {\n    include missing.conf;\n}\n")
    result = corslint("--format", "markdown", "broken.conf", "site.conf", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout.startswith("### corslint: No problems found in 2 files, 1 input error\n")
    assert "**The run is incomplete**" in result.stdout
    page = html(result.stdout)
    assert re.search(r"<li><code>broken\.conf:\d+: [^<]+</code></li>", page), page
    assert "<details><summary>1 note</summary>" in page
    assert re.search(r"<li><code>site\.conf:2: note: [^<]*missing\.conf", page), page


def test_hostile_names_and_values_show_as_text(tmp_path):
    """Nothing the checkout wrote becomes markup: every cell holds the
    table's four columns, the only link is the rule's page, no HTML tag
    gets through, and the text shows (escaped by display.py) in code."""
    value = HOSTILE.replace("\x1b", "").replace("\u2215", "/")
    config = api_server(f'add_header Access-Control-Allow-Origin "{value}" always;', ALLOW_CREDENTIALS,
                        'return 200 "ok";')
    name = HOSTILE + ".conf"
    write(tmp_path / name, config)
    result = corslint("--format", "markdown", name, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    page = html(result.stdout)
    rows = cells(page)
    assert rows and all(len(row) == 4 for row in rows)
    assert set(re.findall(r'<a href="([^"]*)"', page)) <= {f"{RULE_PAGE}{code}.md" for code in
                                                           re.findall(r"CORS\d{3}", result.stdout)}
    for tag in ("<script", "<img", "<x", "\x1b"):
        assert tag not in page
    outside_code = re.sub(r"<code>.*?</code>", "", page, flags=re.S)
    for word in ("octocat", "evil", "alert", "#1"):
        assert word not in outside_code
    shown = "a|b``c&lt;script&gt;alert(1)&lt;\u2215script&gt; @octocat [x](https:\u2215\u2215evil.example) " \
            "www.evil.example #1\\x1b[31m.conf:5"
    assert rows[0][0] == f"<code>{shown}</code>"
    assert any("<code>Access-Control-Allow-Origin 'a|b``c&lt;script&gt;alert(1)&lt;/script&gt; @octocat "
               "[x](https://evil.example) www.evil.example #1[31m' can never match" in row[3] for row in rows)


def test_rule_links_follow_the_docs_url_and_stay_links(tmp_path):
    write(tmp_path / "api.conf", api_server(ALLOW_ANY, ALLOW_CREDENTIALS))
    (tmp_path / ".corslint.toml").write_text('docs-url = "https://docs.example.org/a(b)|c[d]/"\n')
    result = corslint("--format", "markdown", "api.conf", cwd=tmp_path)
    assert '<a href="https://docs.example.org/a%28b%29%7Cc%5Bd%5D/CORS201.md"' in html(result.stdout)


def test_a_long_report_stays_within_a_comment(monkeypatch):
    from corslint.diagnostics import Finding, InputError
    from corslint.engine import Report
    from corslint.report import markdown

    findings = [Finding("CORS201", "wildcard-with-credentials", "error", f"conf/site{n}.conf", 5, "x" * 300)
                for n in range(1000)]
    errors = [InputError(f"conf/bad{n}.conf", 1, "y" * 300) for n in range(1000)]
    out = markdown.render(Report(findings=findings, errors=errors, files=2000))
    assert len(out) < 65_536
    assert out.startswith("### corslint: Found 1000 problems (1000 errors) in 2000 files, 1000 input errors\n")
    assert re.search(r"\| \| \| \| … and \d+ more \(not shown", out)
    assert re.search(r"^- … and \d+ more \(not shown\)$", out, re.M)
    assert all(len(row) == 4 for row in cells(html(out)))
