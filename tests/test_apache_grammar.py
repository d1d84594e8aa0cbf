"""The Apache reader (linter/apache/apache.lark + parse.py) on broken input.

Property tests feed it text assembled from Apache-like fragments (sections,
stray closings, quotes, continuations, comments, CRLF, NUL, invalid UTF-8,
very long lines, nesting): it must never raise or hang, and every error must
name a line of the file.  Through the command line the same inputs give exit
status 0, 1 or 2, never a traceback, and an exit 2 names `FILE:LINE:`.

Unit tests pin the syntax httpd 2.4 accepts (continuations, quoting, section
pairing, Include/IncludeOptional, Define, <IfDefine>/<IfModule>/<IfVersion>).
Known divergences from httpd are strict xfails: a fix turns them into XPASS.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from corslint.apache.parse import parse_text, read
from corslint.diagnostics import InputError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import corslint, time_limit, write

REPO = Path(__file__).resolve().parent.parent
PER_EXAMPLE_SECONDS = 10


# -- input generators ---------------------------------------------------------------

FRAGMENTS = [
    # directives
    "Header set X-A one", 'Header always set Access-Control-Allow-Origin "*"',
    'Header always set Access-Control-Allow-Origin "expr=%{req:Origin}"',
    'SetEnvIf Origin "^https://(www\\.)?a\\.example$" OK=$0', "RewriteEngine On",
    "RewriteCond %{REQUEST_METHOD} OPTIONS", "RewriteRule ^(.*)$ $1 [R=200,L]", "Require valid-user",
    "Define CORS 1", "UnDefine CORS", "ServerName ${CORS}", "${UNDEFINED}", "Options -Indexes",
    "php_value upload_max_filesize 10M", "Header set Access-Control-Allow-Credentials: true",
    # section openings and closings, well and badly formed
    "<Directory /var/www>", "</Directory>", "<directory /x>", "</DIRECTORY>", "<Location />", "</Location>",
    "<IfModule mod_headers.c>", "<IfModule !mod_x.c>", "</IfModule>", "<IfDefine CORS>", "<IfDefine !CORS>",
    "</IfDefine>", "<IfVersion >= 2.4>", "<IfVersion < 2.4>", "</IfVersion>",
    "<If \"%{REQUEST_METHOD} == 'OPTIONS'\">", "<ElseIf \"-z %{HTTP:Origin}\">", "<Else>", "</If>", "</Else>",
    '<FilesMatch "\\.(ttf|woff2?)$">', "</FilesMatch>", "<VirtualHost *:80>", "</VirtualHost>",
    "<", ">", "</", "</>", "<>", "<Directory", "<Directory /x", "</Directory", "<%= node[:fqdn] %>", "<% end -%>",
    # quotes
    '"', "'", '\\"', '"unterminated', "'single quoted'", '"a \\" b"', '"\\\\"', '""', "''", '"x"y',
    # continuations, comments, whitespace, control characters
    "\\", "\\\n", "\\\r\n", " \\\n  ", "#", "# comment", "# comment \\", "\t", " ", "\r", "\r\n", "\n",
    "\x00", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\ufeff", "\ufffd", "\udcff", "é", "{", "}", ";", "%",
]

fragment = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(max_size=12),
    st.integers(min_value=1000, max_value=20000).map(lambda n: "A" * n),            # very long tokens
    st.integers(min_value=1, max_value=60).map(                                       # deep nesting
        lambda n: "<IfModule m>\n" * n + "Header set X y\n" + "</IfModule>\n" * n),
    st.integers(min_value=1, max_value=60).map(lambda n: "<Directory /d>\n" * n),    # never closed
    st.integers(min_value=1, max_value=60).map(lambda n: "</Location>\n" * n),      # never opened
)
separator = st.sampled_from(["\n", "\n", "\r\n", " ", "", "\\\n", "\n\n"])


@st.composite
def apache_text(draw, max_parts: int = 25) -> str:
    parts = draw(st.lists(st.tuples(fragment, separator), max_size=max_parts))
    return "".join(f + s for f, s in parts)


#: what the reader sees for a file with invalid UTF-8 (it decodes with errors="replace")
raw_bytes = st.binary(max_size=300).map(lambda b: b.decode("utf-8", errors="replace"))


def physical_lines(text: str) -> int:
    """Lines as an editor (and httpd: LF only, CRLF counted once) numbers them."""
    return text.replace("\r\n", "\n").count("\n") + 1


def check_parse(text: str) -> None:
    with time_limit(PER_EXAMPLE_SECONDS):
        result = parse_text(text, "fuzz.conf")
    assert isinstance(result, tuple) and len(result) == 2
    directives, errors = result
    assert isinstance(directives, list) and isinstance(errors, list)
    lines = physical_lines(text)
    for error in errors:
        assert isinstance(error, InputError)
        assert error.path == "fuzz.conf"
        if error.line is None:
            assert text == "", f"error without a line on a non-empty file: {error}"
        else:
            assert 1 <= error.line <= lines, f"line {error.line} outside 1..{lines}: {error}"
            assert str(error).startswith(f"fuzz.conf:{error.line}:")
    if errors:
        assert directives == []      # the first syntax error stops the file


# -- (a) the reader never raises ----------------------------------------------------

@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(apache_text())
def test_parse_text_never_raises_on_fragments(text):
    check_parse(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(raw_bytes, apache_text(max_parts=5)), max_size=4).map("".join))
def test_parse_text_never_raises_on_invalid_utf8(text):
    check_parse(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["<A>", "</A>", "<b x>", "</B>", '"', "\\", "\n", "\r\n", "#", "x"]),
                max_size=40).map("".join))
def test_parse_text_never_raises_on_broken_sections_and_quotes(text):
    check_parse(text)


def test_parse_text_on_huge_inputs():
    check_parse("Header always set X " + "a" * 2_000_000 + "\n")
    check_parse('Header set X ' + '"a" ' * 50_000 + "\n")
    check_parse("Header set X y\n" * 50_000)
    check_parse("\\\n" * 20_000 + "Header set X y\n")
    check_parse("<IfModule m>\n" * 3000 + "</IfModule>\n" * 3000)     # the nesting itself is iterative


# -- (b) through the command line ---------------------------------------------------

ERROR_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+)(?::\d+)?: ", re.MULTILINE)


def run_cli(*paths: Path, fmt: str = "text") -> subprocess.CompletedProcess:
    return corslint("--type", "apache", "--format", fmt, *map(str, paths), cwd=REPO, timeout=60)


def check_cli(path: Path) -> None:
    run = run_cli(path)
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode in (0, 1, 2), (run.returncode, run.stderr)
    if run.returncode == 2:
        assert re.search(rf"^{re.escape(str(path))}:\d+:", run.stderr, re.MULTILINE), run.stderr


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(apache_text(max_parts=12), st.binary(max_size=200)), min_size=1, max_size=3))
def test_cli_on_generated_files(tmp_path, parts):
    path = tmp_path / "generated.conf"
    path.write_bytes(b"".join(p if isinstance(p, bytes) else p.encode("utf-8", "surrogateescape") for p in parts))
    check_cli(path)


@pytest.mark.parametrize("content", [
    b"<Directory /x>\nHeader set A b\n",                     # never closed
    b"Header set A b\n</Location>\n",                        # never opened
    b"<Directory /x>\n</Location>\n",                        # mismatched
    b'Header set A "b\n',                                    # unterminated quote
    b"Header set A b\n\xff\xfe<bad\n",                       # invalid UTF-8 then a broken section
    b"<Directory /x\nHeader set A b\n</Directory>\n",        # opening without '>'
    b"\x00\x00\x00\n",
])
def test_cli_errors_name_file_and_line(tmp_path, content):
    path = tmp_path / "broken.conf"
    path.write_bytes(content)
    run = run_cli(path)
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert re.search(rf"^{re.escape(str(path))}:\d+:", run.stderr, re.MULTILINE), run.stderr


def test_cli_missing_include_is_a_notice_at_its_line(tmp_path):
    """The file is linted all the same; --strict makes the notice an input error."""
    path = tmp_path / "broken.conf"
    path.write_bytes(b"Include does-not-exist.conf\n")
    run = run_cli(path)
    assert run.returncode == 0, (run.stdout, run.stderr)
    assert f"{path}:1: note: Include does-not-exist.conf: not read: no such file" in run.stdout, run.stdout
    run = corslint("--strict", "--type", "apache", str(path), cwd=REPO, timeout=60)
    assert run.returncode == 2 and re.search(rf"^{re.escape(str(path))}:1:", run.stderr, re.MULTILINE), run.stderr


def test_cli_deep_nesting_does_not_crash(tmp_path):
    """1000+ nested sections overflow the recursive include/condition expansion;
    that must stay an input error (exit 2), never a traceback."""
    path = tmp_path / "deep.conf"
    path.write_text("<IfModule mod_headers.c>\n" * 2000 + "Header set A b\n" + "</IfModule>\n" * 2000)
    run = run_cli(path)
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 2
    assert str(path) in run.stderr


def test_cli_deep_nesting_names_a_line(tmp_path):
    path = tmp_path / "deep.conf"
    path.write_text("<Directory /d>\n" * 2000 + "Header set A b\n" + "</Directory>\n" * 2000)
    run = run_cli(path)
    assert run.returncode == 2
    assert re.search(rf"^{re.escape(str(path))}:\d+:", run.stderr, re.MULTILINE), run.stderr


# -- (c) known syntax -----------------------------------------------------------------

def parsed(text: str):
    directives, errors = parse_text(text, "t.conf")
    assert errors == [], [str(e) for e in errors]
    return directives


def flat(directives):
    for d in directives:
        yield d
        yield from flat(d.block or [])


def test_continuation_lines_keep_line_numbers():
    text = ("# comment\n"
            "Header always set Access-Control-Allow-Methods \\\n"
            "    GET \\\n"
            "    POST\n"
            "Header set X-After y\n"
            "<Directory /x>\r\n"
            "  Header set X-In \\\r\n"
            "      z\r\n"
            "</Directory>\r\n")
    ds = parsed(text)
    assert [(d.name, d.line) for d in flat(ds)] == [("Header", 2), ("Header", 5), ("<Directory", 6), ("Header", 7)]
    assert ds[0].args == ["always", "set", "Access-Control-Allow-Methods", "GET", "POST"]
    assert ds[2].block[0].args == ["set", "X-In", "z"]
    _, errors = parse_text("Header set A \\\n  b \\\n  c\n<Broken\n", "t.conf")
    assert [e.line for e in errors] == [4]


def test_comment_ending_in_backslash_swallows_the_next_line():
    # httpd joins continuation lines before it looks for '#', so the Header is part of the comment
    assert parsed("# a comment \\\nHeader set X y\nHeader set Z w\n")[0].line == 3


def test_continuation_joins_without_adding_a_space():
    assert parsed('SetEnvIf Origin "^https://a\\\n\\.example$" OK\n')[0].args == ["Origin", "^https://a\\.example$",
                                                                                 "OK"]


def test_quoted_arguments_with_escaped_quotes():
    ds = parsed('Header set X-A "a \\"b\\" c"\n'
                "Header set X-B 'it\\'s'\n"
                "Header set X-C \"single ' inside\"\n"
                'Header set X-D ""\n')
    assert [d.args[-1] for d in ds] == ['a "b" c', "it's", "single ' inside", ""]


def test_backslash_dot_kept_inside_quotes():
    ds = parsed('SetEnvIf Origin "^https://(www\\.)?a\\.example$" OK=$0\n'
                '<FilesMatch "\\.(ttf|woff2?)$">\n</FilesMatch>\n')
    assert ds[0].args == ["Origin", "^https://(www\\.)?a\\.example$", "OK=$0"]
    assert ds[1].args == ["\\.(ttf|woff2?)$"]


def test_section_pairing_is_case_insensitive():
    ds = parsed("<directory /x>\nHeader set A b\n</Directory>\n<IFMODULE mod_headers.c>\n</ifmodule>\n")
    assert [d.name.lower() for d in ds] == ["<directory", "<ifmodule"]
    assert ds[0].block[0].line == 2


def test_if_section_arguments():
    ds = parsed("<If \"%{REQUEST_METHOD} == 'OPTIONS'\">\n</If>\n<If \"%{X} > 3\">\n</If>\n"
                '<Directory ~ "^/var">\n</Directory>\n<Location />\n</Location>\n')
    assert [d.args for d in ds] == [["%{REQUEST_METHOD} == 'OPTIONS'"], ["%{X} > 3"], ["~", "^/var"], ["/"]]


@pytest.mark.parametrize("text, line, words", [
    ("<Directory /x>\nHeader set A b\n</Location>\n", 3, ["</Location>", "<Directory>", "line 1"]),
    ("Header set A b\n<Directory /x>\n<Files f>\n</Files>\n", 2, ["<Directory>", "never closed"]),
    ("Header set A b\n\n</VirtualHost>\n", 3, ["</VirtualHost>", "without"]),
    ("<Directory /x\n</Directory>\n", 1, []),
    ('Header set A b\nHeader set C "d\n', 2, ["unterminated"]),
])
def test_section_and_quote_errors_name_their_line(text, line, words):
    directives, errors = parse_text(text, "t.conf")
    assert directives == []
    assert [e.line for e in errors] == [line]
    for word in words:
        assert word in errors[0].message


def test_include_glob_is_relative_to_server_root(tmp_path):
    root = tmp_path / "httpd"
    write(root / "conf.d" / "b.conf", "Header set X-B b\n")
    write(root / "conf.d" / "a.conf", "Header set X-A a\n")
    write(root / "conf.d" / "skip.txt", "Header set X-Txt t\n")
    # httpd's layout: ServerRoot/conf/main.conf; includes resolve against ServerRoot, not conf/
    main = write(root / "conf" / "main.conf",
                 f'ServerRoot "{root}"\nInclude conf.d/*.conf\nHeader set X-Main m\n')
    result = read(str(main))
    assert result.errors == []
    headers = [(d.args[1], Path(d.path).name, d.line) for d in result.directives if d.name == "Header"]
    assert headers == [("X-A", "a.conf", 1), ("X-B", "b.conf", 1), ("X-Main", "main.conf", 3)]


def test_include_optional_missing_is_not_an_error(tmp_path):
    main = write(tmp_path / "main.conf", "IncludeOptional missing.conf\nIncludeOptional nothing/*.conf\n"
                                         "Header set X y\n")
    result = read(str(main))
    assert result.errors == []
    assert [d.name for d in result.directives] == ["Header"]


def test_include_missing_is_a_notice_naming_file_and_line(tmp_path):
    main = write(tmp_path / "main.conf", "Header set X y\n\nInclude missing.conf\n")
    result = read(str(main))
    assert result.errors == [] and len(result.notices) == 1
    assert str(result.notices[0]).startswith(f"{main}:3: ") and "missing.conf" in str(result.notices[0])
    run = run_cli(main)
    assert run.returncode == 0 and f"{main}:3: note: " in run.stdout


def test_include_glob_without_match_is_a_notice(tmp_path):
    main = write(tmp_path / "main.conf", "Include nothing/*.conf\nIncludeOptional nothing/*.conf\n")
    result = read(str(main))
    assert result.errors == [] and [n.line for n in result.notices] == [1]   # httpd refuses the first only


def test_include_cycle_is_reported_once(tmp_path):
    a = write(tmp_path / "a.conf", "Include b.conf\nHeader always set Access-Control-Allow-Origin *\n")
    b = write(tmp_path / "b.conf", "Header set X-B b\nInclude a.conf\n")
    result = read(str(a))
    assert len(result.errors) == 1
    assert result.errors[0].path == str(b) and result.errors[0].line == 2
    assert "cycle" in result.errors[0].message
    run = run_cli(a)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.count("include cycle") == 1
    assert f"{b}:2: " in run.stderr


def test_include_diamond_is_not_a_cycle(tmp_path):
    write(tmp_path / "shared.conf", "Header set X-S s\n")
    write(tmp_path / "left.conf", "Include shared.conf\n")
    write(tmp_path / "right.conf", "Include shared.conf\n")
    main = write(tmp_path / "main.conf", "Include left.conf\nInclude right.conf\n")
    result = read(str(main))
    assert result.errors == []
    assert [d.args[1] for d in result.directives] == ["X-S", "X-S"]


def test_include_cycle_with_both_files_on_the_command_line(tmp_path):
    a = write(tmp_path / "a.conf", "Include b.conf\nHeader always set Access-Control-Allow-Origin \"*\"\n"
                                   "Header always set Access-Control-Allow-Credentials \"true\"\n")
    b = write(tmp_path / "b.conf", "Include a.conf\n")
    run = run_cli(a, b, fmt="json")
    payload = json.loads(run.stdout)
    assert run.returncode == 2
    assert len(payload["errors"]) == 1 and "cycle" in payload["errors"][0]["message"]
    assert payload["files"] == 2


def test_define_and_variables(tmp_path):
    main = write(tmp_path / "main.conf",
                 "Define ORIGIN https://app.example\n"
                 'Header always set Access-Control-Allow-Origin "${ORIGIN}"\n'
                 "Header set X-Unknown ${NOT_DEFINED}\n"
                 "<IfDefine ORIGIN>\nHeader set X-Defined yes\n</IfDefine>\n"
                 "<IfDefine !ORIGIN>\nHeader set X-NotDefined yes\n</IfDefine>\n"
                 "UnDefine ORIGIN\n"
                 "<IfDefine ORIGIN>\nHeader set X-After-Undefine yes\n</IfDefine>\n")
    result = read(str(main))
    assert result.errors == []
    values = [d.args[1:] for d in result.directives if d.name == "Header"]
    assert values == [["set", "Access-Control-Allow-Origin", "https://app.example"],
                      ["X-Unknown", "${NOT_DEFINED}"], ["X-Defined", "yes"]]


def test_ifmodule_and_ifversion(tmp_path):
    main = write(tmp_path / "main.conf",
                 "<IfModule mod_headers.c>\nHeader set X-Headers yes\n</IfModule>\n"
                 "<IfModule headers_module>\nHeader set X-Headers-Id yes\n</IfModule>\n"
                 "<IfModule !mod_x.c>\nHeader set X-No-ModX yes\n</IfModule>\n"
                 "<IfModule mod_x.c>\nHeader set X-ModX yes\n</IfModule>\n"
                 "<IfVersion < 2.4>\nHeader set X-Old yes\n</IfVersion>\n"
                 "<IfVersion ~ ^2\\.4>\nHeader set X-Regex yes\n</IfVersion>\n")
    result = read(str(main))
    assert result.errors == []
    assert [d.args[1] for d in result.directives] == ["X-Headers", "X-Headers-Id", "X-No-ModX", "X-Regex"]


def test_ifversion_greater_or_equal():
    ds = parsed("<IfVersion >= 2.4>\nHeader set X-New yes\n</IfVersion>\n<IfVersion > 2.2>\n</IfVersion>\n")
    assert [d.args for d in ds] == [[">=", "2.4"], [">", "2.2"]]


def test_ifversion_greater_or_equal_quoted_works():
    ds = parsed('<IfVersion ">=" 2.4>\nHeader set X-New yes\n</IfVersion>\n')
    assert ds[0].args == [">=", "2.4"]


def test_vertical_tab_and_form_feed_separate_arguments():
    assert parsed("Header set\x0cX-A\x0bone\n")[0].args == ["set", "X-A", "one"]
