"""Hostile input in every format: no crash, no hang, no escape, no silent pass.

Property tests (hypothesis) mutate real configurations (the folders each
kind's entry in linter/kinds.py names: samples/ and, when it is there,
../shared/corpus/) — truncation, unbalanced braces, sections
and brackets, open quotes, NUL bytes, invalid UTF-8, a BOM, CRLF, very long
lines, deep nesting, catastrophic regexes, includes that leave the tree —
and add plain random bytes.  Every input is linted in-process
(`engine.lint` on a file in a temporary folder, the kind forced): the run
must end within PER_EXAMPLE_SECONDS with a report that renders as the JSON
of shared/spec/cli.md, without an "internal error" (a crash the engine
caught), and a file that does not parse must make the run fail (exit 2) or
be reported as a skipped template.  A smaller number of command-line runs
on generated folders check the same through the installed entry point.

The budget is fixed for CI (about a minute in all); CORSLINT_FUZZ_EXAMPLES
raises every test's example count, e.g. for a long run:

    CORSLINT_FUZZ_EXAMPLES=50000 python -m pytest -q tests/test_fuzz.py

Each crash found here has a minimal input in tests/test_regressions.py.
"""

from __future__ import annotations

import ast
import json
import os
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corslint.config import Settings
from corslint.diagnostics import InputError
from corslint.engine import load_model, lint
from corslint.files import template_candidate, template_markup
from corslint.kinds import KINDS as REGISTRY
from corslint.saferegex import RegexTimeout
from support import corslint, time_limit

ROOT = Path(__file__).resolve().parent.parent
PER_EXAMPLE_SECONDS = float(os.environ.get("CORSLINT_FUZZ_SECONDS", "20"))
SCALE = int(os.environ.get("CORSLINT_FUZZ_EXAMPLES", "0") or 0)


def budget(examples: int):
    """The CI budget, or CORSLINT_FUZZ_EXAMPLES when it is set."""
    return settings(max_examples=SCALE or examples, deadline=None, derandomize=not SCALE,
                    suppress_health_check=list(HealthCheck), database=None)


# -- seeds: real configurations of every format -----------------------------------------

def _files(folder: Path, suffixes: tuple[str, ...] = ()) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in ("README.md", "MANIFEST.md")
                  and p.name != "package.json" and (not suffixes or p.name.endswith(suffixes)))


#: every kind's seed files, from the folders its registry entry names (kinds.KINDS)
SEED_FILES: dict[str, list[Path]] = {
    name: [p for folder, endings in kind.seeds for p in _files((ROOT / folder).resolve(), endings)]
    for name, kind in REGISTRY.items()}
SEEDS: dict[str, list[tuple[str, bytes]]] = {kind: [(p.name, p.read_bytes()) for p in paths]
                                             for kind, paths in SEED_FILES.items()}
KINDS = tuple(SEEDS)

#: what each format opens and closes blocks with, and lines worth splicing in
STRUCTURE: dict[str, dict[str, list[bytes]]] = {
    "nginx": {"open": [b"server {\n", b"location / {\n", b"if ($http_origin) {\n", b"http {\n", b"{"],
              "close": [b"}\n", b"}"],
              "lines": [b"location ~ (a+)+$ { add_header Access-Control-Allow-Origin * always; }\n",
                        b"map $http_origin $cors { default ''; \"~^https://(x+x+)+y$\" $http_origin; }\n",
                        b"if ($http_origin ~* ((a|aa)+)+$) { add_header Access-Control-Allow-Origin $http_origin; }\n",
                        b"location /" + b"a" * 40 + b"! { return 200; }\n",
                        b"include ../../../etc/passwd;\n", b"include /etc/*;\n", b"include *.conf;\n",
                        b"add_header Access-Control-Allow-Origin $http_origin always;\n",
                        b"add_header Access-Control-Allow-Credentials true always;\n",
                        b"server_name ~^(www\\.)?(?<sub>.+)\\.example\\.com$;\n", b"return 204;\n",
                        b"proxy_pass http://backend;\n", b"limit_except GET { deny all; }\n"]},
    "apache": {"open": [b"<VirtualHost *:80>\n", b"<Directory /var/www>\n", b"<IfModule mod_headers.c>\n",
                        b"<Location />\n", b"<If \"%{HTTP:Origin} =~ /(a+)+$/\">\n", b"<"],
               "close": [b"</VirtualHost>\n", b"</Directory>\n", b"</IfModule>\n", b"</Location>\n", b"</If>\n", b">"],
               "lines": [b"Include ../../../etc/passwd\n", b"Include /etc\n", b"IncludeOptional *.conf\n",
                         b'SetEnvIf Origin "^(x+x+)+y$" ORIGIN=$0\n',
                         b'Header always set Access-Control-Allow-Origin "%{ORIGIN}e" env=ORIGIN\n',
                         b'Header always set Access-Control-Allow-Credentials "true"\n',
                         b"RewriteEngine On\nRewriteCond %{HTTP:Origin} ((a|aa)+)+$\nRewriteRule .* - [E=O:%0]\n",
                         b"<LocationMatch \"(a+)+$\">\nHeader set X y\n</LocationMatch>\n",
                         b"Define X ${X}${X}\n", b"\\\n", b"ServerRoot /\n"]},
    "python": {"open": [b"(", b"[", b"{", b"if x:\n    ", b"def f():\n    ", b"lambda: "],
               "close": [b")", b"]", b"}", b"\n"],
               "lines": [b"CORS_ALLOWED_ORIGIN_REGEXES = [r'^https://(a+)+$', r'(x+x+)+y']\n",
                         b"CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_CREDENTIALS = True\n",
                         b"CORS(app, origins=r'((a|aa)+)+$', supports_credentials=True)\n",
                         b"app.add_middleware(CORSMiddleware, allow_origin_regex='(a+)+$', allow_credentials=True)\n",
                         b"import os; os.system('touch /tmp/corslint-fuzz-executed')\n",
                         b"x = " + b"+".join([b"a"] * 3000) + b"\n", b"'''", b'"""', b"\\\n", b"    ", b"\t"]},
    "express": {"open": [b"{", b"(", b"[", b"function f() {", b"app.use(", b"`${"],
                "close": [b"}", b")", b"]", b"`"],
                "lines": [b"app.use(cors({ origin: /^(a+)+$/, credentials: true }));\n",
                          b"app.use(cors({ origin: [/((a|aa)+)+$/, 'https://x'] }));\n",
                          b"require('fs').writeFileSync('/tmp/corslint-fuzz-executed', 'ran');\n",
                          b"res.setHeader('Access-Control-Allow-Origin', req.headers.origin);\n",
                          b"const x = " + b"+".join([b"a"] * 3000) + b";\n", b"/*", b"//", b"`", b"</script>"]},
    "yaml": {"open": [b"[", b"{", b"- ", b"  a:\n    ", b"&a [*a, *a]\n"],
             "close": [b"]", b"}", b"\n"],
             "lines": [b"a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                       b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n",
                       b"    nginx.ingress.kubernetes.io/cors-allow-methods: \"" + b"GET" * 30 + b"!\"\n",
                       b"    nginx.ingress.kubernetes.io/cors-allow-origin: \"" + b"a" * 60 + b"!\"\n",
                       b"      accessControlAllowOriginListRegex: ['(a+)+$']\n",
                       b"        regex: \"((a|aa)+)+$\"\n", b"{{ .Values.x }}", b"!Sub ", b"<<: *a\n",
                       b"[http.middlewares.x.headers]\naccessControlAllowOriginListRegex = ['(x+x+)+y']\n",
                       b"\t", b"---\n", b"%YAML 1.1\n", b"? ", b"| \n"]},
}
GENERIC = [b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\r\n",
           b"\r", b"\n", b'"', b"'", b"\\", b"`", b"{", b"}", b"(", b")", b"[", b"]", b"<", b">", b";", b"#",
           b"$", b"${", b"%", b"*", b"\t", "\u2028".encode(), "\u202e".encode(), b"\x1b[31m", b"\x0c", b"\x85"]


def _structure(kind: str) -> dict[str, list[bytes]]:
    """The blocks and lines of the kind's language (brackets and GENERIC
    alone for a kind that has no entry of its own yet)."""
    python = kind in ("django", "flask", "starlette")
    return STRUCTURE.get("python" if python else kind, {"open": [b"{", b"("], "close": [b"}", b")"], "lines": GENERIC})


def token(kind: str):
    parts = _structure(kind)
    return st.one_of(
        st.sampled_from(GENERIC),
        st.sampled_from(parts["lines"]),
        st.sampled_from(parts["open"] + parts["close"]),
        st.tuples(st.sampled_from(parts["open"]), st.integers(1, 400)).map(lambda t: t[0] * t[1]),   # deep nesting
        st.tuples(st.sampled_from(parts["close"]), st.integers(1, 50)).map(lambda t: t[0] * t[1]),   # stray closers
        st.integers(1000, 200_000).map(lambda n: b"a" * n),                                         # very long lines
        st.binary(min_size=1, max_size=32),
    )


@st.composite
def mutated(draw, kind: str) -> tuple[str, bytes]:
    """(file name, content): a seed of this kind with a few mutations, or random bytes."""
    seeds = SEEDS[kind]
    name, seed = draw(st.sampled_from(seeds))
    if draw(st.integers(0, 9)) == 0:
        return name, draw(st.binary(max_size=4000))
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(("truncate", "insert", "insert", "insert", "delete", "duplicate", "flip", "crlf",
                                   "bom", "splice")))
        pos = draw(st.integers(0, len(data)))
        if op == "truncate":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(token(kind))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 400))]
        elif op == "duplicate":
            chunk = data[pos:pos + draw(st.integers(1, 400))]
            data[pos:pos] = chunk * draw(st.integers(1, 30))
        elif op == "flip" and data:
            data[pos % len(data)] ^= draw(st.integers(1, 255))
        elif op == "crlf":
            data = bytearray(bytes(data).replace(b"\n", b"\r\n"))
        elif op == "bom":
            data[0:0] = b"\xef\xbb\xbf"
        elif op == "splice":   # a piece of another file of the same kind
            _other_name, other = draw(st.sampled_from(seeds))
            start = draw(st.integers(0, len(other)))
            data[pos:pos] = other[start:start + draw(st.integers(1, 2000))]
    return name, bytes(data)


# -- what every run must give ----------------------------------------------------------------

def unparseable(kind: str, path: Path) -> str | None:
    """An independent opinion: why the file cannot be a valid input of this
    kind (None when it may be).  Such a file must never pass silently."""
    data = path.read_bytes()
    if kind in ("django", "flask", "starlette"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(data.removeprefix(b"\xef\xbb\xbf").decode("utf-8"))
        except (UnicodeDecodeError, SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            return f"Python: {exc!r}"[:200]
        return None
    if kind == "yaml":
        try:
            text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except UnicodeDecodeError as exc:
            return repr(exc)
        if path.name.endswith(".toml"):
            from corslint.compat import tomllib
            try:
                tomllib.loads(text)
            except (tomllib.TOMLDecodeError, RecursionError) as exc:
                return f"TOML: {exc}"
            return None
        import yaml

        class Loader(yaml.SafeLoader):   # CloudFormation's `!Ref`, `!Sub`... are valid tags
            pass
        Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
        try:
            for _ in yaml.load_all(text, Loader=Loader):
                pass
        except (yaml.YAMLError, RecursionError) as exc:
            return f"YAML: {exc}"[:200]
        except Exception as exc:      # PyYAML's own errors on odd input (unhashable keys...)
            return f"YAML: {exc!r}"[:200]
        return None
    if kind == "apache":
        from corslint.apache.parse import parse_text
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")   # httpd skips a BOM
        _directives, errors = parse_text(text, str(path))
        return str(errors[0]) if errors else None
    if kind == "nginx":
        import crossplane
        try:
            payload = crossplane.parse(str(path), single=True, check_ctx=False, check_args=False,
                                       catch_errors=True, comments=False)
        except Exception as exc:
            return f"crossplane: {exc!r}"
        errors = [e for entry in payload.get("config", []) for e in entry.get("errors", [])]
        return f"crossplane: {errors[0]}" if errors else None
    if kind == "express":
        from corslint.code.javascript import parse
        _tree, errors = parse(data, str(path))
        return f"tree-sitter: {errors[0]}" if errors else None
    return None


def exit_status(report, fail_on: str = "warning") -> int:
    """What the command line returns for this report (cli.md)."""
    if report.errors:
        return 2
    return 1 if report.failed(fail_on) else 0


def check_report(report, path: Path, kind: str) -> None:
    from corslint.report.json import render

    payload = json.loads(render(report))
    assert set(payload) >= {"version", "findings", "errors", "files"}, payload
    for finding in payload["findings"]:
        assert finding["line"] >= 1 and finding["path"] and finding["code"].startswith("CORS"), finding
    for error in report.errors:
        assert isinstance(error, InputError) and error.path and error.message, error
        assert "internal error" not in error.message, f"crash caught by the engine: {error}"
        assert "Traceback" not in error.message, error
    assert exit_status(report) in (0, 1, 2)
    # a template (by name, or markup in a file that does not parse) is rendered first (linter/templates):
    # whether its raw text parses says nothing, and a rendering that does not parse is an input error
    why = None if template_candidate(str(path)) or template_markup(str(path)) else unparseable(kind, path)
    if why is not None:
        skipped = [p for p, _reason in report.skipped if p == str(path)]
        assert report.errors or skipped, f"silent pass of a broken {kind} file ({why})"


def lint_bytes(kind: str, name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="corslint-fuzz-") as folder:
        path = Path(folder) / (name or "input")
        path.write_bytes(data)
        with time_limit(PER_EXAMPLE_SECONDS):
            report = lint([str(path)], Settings(), kind)
        check_report(report, path, kind)


def load_bytes(kind: str, name: str, data: bytes) -> None:
    """Only the reader and the model (no rules): the cheap half, run more often."""
    with tempfile.TemporaryDirectory(prefix="corslint-fuzz-") as folder:
        path = Path(folder) / (name or "input")
        path.write_bytes(data)
        with time_limit(PER_EXAMPLE_SECONDS):
            try:
                model = load_model(str(path), kind)
            except InputError:
                return
            for error in model.parsed.errors:
                assert isinstance(error, InputError) and error.message, error
            # asking the model for its scopes walks every location / route / gate
            try:
                model.scopes()
            except RegexTimeout:
                pass    # by design: the engine reports the pattern (tests/test_hostile.py)


# -- (a) every reader, in-process -------------------------------------------------------------

def _kind_test(kind: str, examples: int, runner):
    @budget(examples)
    @given(mutated(kind))
    def test(case):
        name, data = case
        runner(kind, name, data)
    return test


# one reader test and one lint test per kind of the registry: test_nginx_reader_on_mutated_inputs...
for _kind in KINDS:
    globals()[f"test_{_kind}_reader_on_mutated_inputs"] = _kind_test(_kind, 2000, load_bytes)
    globals()[f"test_{_kind}_lint_on_mutated_inputs"] = _kind_test(_kind, 1000, lint_bytes)


@pytest.mark.parametrize("kind", KINDS)
def test_every_format_has_seeds(kind):
    assert SEEDS[kind], f"no sample of kind {kind} to mutate"


# -- (b) through the command line ---------------------------------------------------------------

@budget(20)
@given(st.lists(st.sampled_from(KINDS).flatmap(lambda k: mutated(k).map(lambda c: (k, *c))), min_size=1, max_size=4))
def test_cli_on_folders_of_mutated_files(cases):
    """A folder of broken files of every kind plus a clean one: exit 0, 1 or 2,
    a JSON report, never a traceback."""
    with tempfile.TemporaryDirectory(prefix="corslint-fuzz-") as folder:
        base = Path(folder)
        (base / "clean.conf").write_text("server {\n    listen 80;\n    location / { return 200; }\n}\n")
        for index, (_kind, name, data) in enumerate(cases):
            (base / f"f{index}").mkdir()
            (base / f"f{index}" / name).write_bytes(data)
        run = corslint("--format", "json", str(base))
        assert "Traceback" not in run.stderr, run.stderr
        assert run.returncode in (0, 1, 2), (run.returncode, run.stderr)
        payload = json.loads(run.stdout)
        assert payload["files"] >= 1
        assert (run.returncode == 2) == bool(payload["errors"]), (run.returncode, payload["errors"])
        assert "internal error" not in run.stderr, run.stderr
