"""corslint.args: the option parser behind every corslint command."""

from __future__ import annotations

import pytest

from corslint.args import Command, Opt, Pos, UsageError


def command() -> Command:
    return Command("tool", "Does things.",
                   Pos("paths", "PATH", "inputs", many=True),
                   Opt("--format", "output", choices=("text", "json"), default="text"),
                   Opt("--select", "codes", action="append", metavar="CODES"),
                   Opt("--strict", "strict mode", action="flag"),
                   Opt("--count", "a number", convert=int),
                   version="tool 1.0")


def test_values_flags_appends_and_positionals():
    args = command().parse(["a.conf", "--format=json", "--select", "CORS1", "--strict", "--select=CORS2", "b"])
    assert (args.paths, args.format, args.select, args.strict, args.count) == \
        (["a.conf", "b"], "json", ["CORS1", "CORS2"], True, None)


def test_defaults_are_fresh_per_parse():
    first = command().parse([])
    first.select.append("x")
    assert command().parse([]).select == [] and command().parse([]).format == "text"


def test_double_dash_ends_options():
    assert command().parse(["--", "--strict", "-"]).paths == ["--strict", "-"]


@pytest.mark.parametrize("argv, message", [
    (["--nope"], "tool: unknown option --nope"),
    (["-x"], "tool: unknown option -x"),
    (["--format", "xml"], "tool: --format must be one of text, json (not 'xml')"),
    (["--format"], "tool: --format needs a value ({text,json})"),
    (["--strict=yes"], "tool: --strict takes no value"),
    (["--count", "many"], "tool: --count: not a valid value: 'many'"),
])
def test_errors_name_the_option(argv, message):
    with pytest.raises(UsageError) as info:
        command().parse(argv)
    assert str(info.value) == message + " (see `tool --help`)"


def test_required_option_and_positional():
    c = Command("sim", "Simulates.", Pos("path", "PATH"), Opt("--url", "the URL", required=True))
    with pytest.raises(UsageError, match="--url is required"):
        c.parse(["x.conf"])
    with pytest.raises(UsageError, match="PATH is required"):
        c.parse(["--url", "http://x/"])
    with pytest.raises(UsageError, match="unexpected arguments: b c"):
        c.parse(["a", "b", "c", "--url", "u"])
    assert c.parse(["a", "--url", "u"]).path == "a"


def test_help_and_version_print_and_exit_0(capsys):
    for flag in ("-h", "--help"):
        with pytest.raises(SystemExit) as info:
            command().parse([flag])
        assert info.value.code == 0
    with pytest.raises(SystemExit):
        command().parse(["--version"])
    out = capsys.readouterr().out
    assert out.startswith("usage: tool [-h] [--format {text,json}] [--select CODES] [--strict]\n"
                          "            [--count COUNT] [PATH ...]\n")
    assert "  --strict                strict mode\n" in out and out.endswith("tool 1.0\n")


def test_short_aliases_and_version():
    c = Command("tool", "Does things.", Pos("paths", "PATH", many=True),
                Opt("--format", "output", short="-f", choices=("text", "json"), default="text"),
                Opt("--quiet", "less", short="-q", action="flag"), version="tool 1.0")
    args = c.parse(["-f", "json", "-q", "-"])
    assert (args.format, args.quiet, args.paths) == ("json", True, ["-"])
    assert c.parse(["-fjson"]).format == "json"
    with pytest.raises(UsageError, match="-q takes no value"):
        c.parse(["-qx"])
    with pytest.raises(SystemExit):
        c.parse(["-V"])
    assert "  -f, --format {text,json}" in c.help() and "-V, --version" in c.help()
