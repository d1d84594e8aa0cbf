"""`corslint --fix` / `--diff`: on every sample the fixes are idempotent,
leave configurations the real nginx accepts (`nginx -t`), and remove
exactly the findings they fix; writes are atomic and never clobber a file
that changed since it was linted."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import textwrap
from pathlib import Path

import pytest

from corslint import fixes
from corslint.config import Settings
from corslint.engine import lint
from support import corslint

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

#: the sample lines --fix must change (nginx is required; Apache where equally safe)
EXPECTED_CHANGES = {
    "samples/nginx/cors404-no-always.conf", "samples/nginx/cors405-if-origin-no-vary.conf",
    "samples/nginx/cors405-map-no-vary.conf", "samples/nginx/cors208-credentials-value.conf",
    "samples/nginx/cors303-max-age.conf", "samples/apache/cors208-credentials-value.conf",
    "samples/apache/cors303-max-age.conf", "samples/apache/cors405-setenvif-no-vary.conf",
}

#: the rules that offer fixes (other findings, like CORS101 for a proxied
#: location without preflight handling, are beside the point here)
FIXABLE = "CORS404,CORS405,CORS303,CORS208"

NO_ALWAYS = textwrap.dedent("""\
    server {
        listen 80;
        server_name api.example.com;
        location /api/ {
            add_header Access-Control-Allow-Origin "https://app.example.com";
            add_header Access-Control-Allow-Credentials "true";
            add_header X-Frame-Options DENY;
            proxy_pass http://127.0.0.1:8000;
        }
    }
    """)


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class chdir:
    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.old = os.getcwd()
        os.chdir(self.path)

    def __exit__(self, *exc):
        os.chdir(self.old)


@pytest.fixture(scope="module")
def fixed_samples(tmp_path_factory):
    """The samples copied and fixed in process: (folder, before, result).
    Configurations the server refuses to load (`expect: error`) are left out:
    nothing is fixed in them and test_refused_live checks them."""
    from live.model_compare import refused_sample

    base = tmp_path_factory.mktemp("fix")
    shutil.copytree(SAMPLES, base / "samples")
    for path in (base / "samples").rglob("*"):
        if path.is_file() and not path.is_symlink() and refused_sample(path):
            path.unlink()
    with chdir(base):
        before = lint(["samples"], Settings())
        result = fixes.run(before, lambda: lint(["samples"], Settings()), write=True)
    return base, before, result


def test_fix_changes_the_expected_samples(fixed_samples):
    base, before, result = fixed_samples
    assert not result.messages
    changed = {path for path, c in result.changes.items() if c.before != c.after}
    assert changed == EXPECTED_CHANGES
    for path in changed:
        assert (base / path).read_text() == result.changes[path].after
    text = (base / "samples/nginx/cors405-map-no-vary.conf").read_text()
    assert ("add_header Access-Control-Allow-Origin $docs_cors_origin always;  # expect: CORS405\n"
            "        add_header Vary Origin always;\n") in text
    text = (base / "samples/nginx/cors404-no-always.conf").read_text()
    assert 'add_header Access-Control-Allow-Origin "https://checkout.example.com" always;  # expect' in text
    assert 'add_header Access-Control-Max-Age 600 always;' in text
    assert "add_header Access-Control-Allow-Credentials true always;" in \
        (base / "samples/nginx/cors208-credentials-value.conf").read_text()
    assert 'add_header Access-Control-Allow-Credentials "false" always;' in \
        (base / "samples/nginx/cors208-credentials-value.conf").read_text()       # dead config: no fix
    assert "add_header Access-Control-Max-Age 7200 always;" in (base / "samples/nginx/cors303-max-age.conf").read_text()


def test_fix_removes_exactly_the_fixed_findings(fixed_samples):
    _base, before, result = fixed_samples
    offered = {f.key for f in before.findings if f.edits}
    assert {f.key for f in result.fixed} == offered
    assert {f.code for f in result.fixed} == {"CORS404", "CORS405", "CORS208", "CORS303"}
    expected = {(f.path, result.moved(f.path, f.line), f.code) for f in before.findings if f.key not in offered}
    remaining = {(f.path, f.line, f.code) for f in result.report.findings}
    assert remaining == expected
    assert len(result.report.findings) == len(before.findings) - len(offered)
    assert not result.report.errors


def test_fix_is_idempotent(fixed_samples):
    base, _before, result = fixed_samples
    assert not fixes.plan(result.report.findings).edits
    state = digests(base / "samples")
    again = corslint("samples", "--fix", cwd=base)
    assert again.returncode == 1          # unfixable findings remain
    assert "fixed 0 findings in 0 files" in again.stderr
    assert digests(base / "samples") == state
    diff = corslint("samples", "--diff", cwd=base)
    assert diff.returncode == 0 and diff.stdout == ""
    assert "nothing to fix" in diff.stderr


def _nginx_conf(prefix: Path, site: Path, fixed_root: Path) -> str:
    """nginx.conf for `nginx -t` on one (fixed) sample, sandboxed the way the
    live sample tests do it, with the *fixed* snippets."""
    from live.nginx_compare import RawNginx
    from live.test_nginx_samples import is_full_config, rewrite

    conf = prefix / "conf"
    shutil.copytree(fixed_root / "snippets", conf / "snippets", dirs_exist_ok=True)
    (conf / ".htpasswd").write_text("user:{PLAIN}secret\n")
    (prefix / "www").mkdir(exist_ok=True)
    for sub in ("logs", "tmp"):
        (prefix / sub).mkdir(exist_ok=True)

    class Fake:
        port, address = 9, "127.0.0.1:9"

    server = RawNginx(lambda s: None, upstream=Fake())
    server.prefix, server.port, server.root = str(prefix), 8080, str(prefix / "www")
    text = rewrite(site.read_text())
    if not is_full_config(text):
        (conf / "site.conf").write_text(server._substitute(text))
        text = ("events { worker_connections 64; }\nhttp {\n    include /etc/nginx/mime.types;\n"
                f"    default_type application/octet-stream;\n    include {conf / 'site.conf'};\n}}\n")
    server._render = lambda s: text
    return server.render_config()


def test_fixed_nginx_samples_pass_nginx_t(fixed_samples, tmp_path):
    from live.nginx_harness import require_nginx

    binary = require_nginx(headers_more=True)
    base, _before, _result = fixed_samples
    fixed_root = base / "samples" / "nginx"
    failures = []
    for site in sorted(fixed_root.glob("*.conf")):
        prefix = tmp_path / site.stem
        prefix.mkdir()
        conf_path = prefix / "conf" / "nginx.conf"
        (prefix / "conf").mkdir()
        conf_path.write_text(_nginx_conf(prefix, site, fixed_root))
        res = subprocess.run([binary, "-t", "-p", f"{prefix}/", "-e", f"{prefix}/logs/error.log",
                              "-c", str(conf_path)], capture_output=True, text=True, timeout=30)
        if res.returncode != 0:
            failures.append(f"{site.name}: {res.stderr}")
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------- the command line


def test_diff_prints_a_unified_diff_and_writes_nothing(files, tmp_path):
    path = files("api.conf", NO_ALWAYS)
    result = corslint("api.conf", "--diff", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("--- a/api.conf\n+++ b/api.conf\n@@ ")
    assert '+        add_header Access-Control-Allow-Origin "https://app.example.com" always;' in result.stdout
    assert '+        add_header Access-Control-Allow-Credentials "true" always;' in result.stdout
    assert "X-Frame-Options" not in "".join(line for line in result.stdout.splitlines() if line.startswith(("+", "-")))
    assert "1 finding can be fixed in 1 file" in result.stderr
    assert path.read_text() == NO_ALWAYS
    out = corslint("api.conf", "--diff", "--output", "fix.diff", cwd=tmp_path)
    assert out.stdout == "" and (tmp_path / "fix.diff").read_text() == result.stdout
    # the diff applies with patch(1)/git apply
    if shutil.which("git"):
        subprocess.run(["git", "apply", "--unsafe-paths", "fix.diff"], cwd=tmp_path, check=True)
        assert corslint("api.conf", "--select", "CORS404", cwd=tmp_path).returncode == 0


def test_fix_reports_what_remains_in_the_chosen_format(files, tmp_path):
    import json

    files("api.conf", NO_ALWAYS.replace('"https://app.example.com"', "$http_origin"))
    result = corslint("api.conf", "--fix", "--format", "json", cwd=tmp_path)
    report = json.loads(result.stdout)
    codes = {f["code"] for f in report["findings"]}
    assert "CORS404" not in codes and "CORS405" not in codes
    assert "CORS202" in codes                       # reflection with credentials: no automatic fix
    assert result.returncode == 1
    assert "fixed 2 findings in 1 file" in result.stderr
    text = (tmp_path / "api.conf").read_text()
    assert "add_header Access-Control-Allow-Origin $http_origin always;\n        add_header Vary Origin always;" \
        in text


def test_text_report_says_what_is_fixable(files, tmp_path):
    files("api.conf", NO_ALWAYS)
    result = corslint("api.conf", cwd=tmp_path)
    assert "1 of them can be fixed automatically: `corslint --fix`" in result.stdout


def test_fix_keeps_permissions_and_symlinks(files, tmp_path):
    real = files("real/api.conf", NO_ALWAYS)
    os.chmod(real, 0o640)
    link = tmp_path / "api.conf"
    link.symlink_to(real)
    assert corslint("api.conf", "--fix", "--select", FIXABLE, cwd=tmp_path).returncode == 0
    assert link.is_symlink()
    assert "always" in real.read_text()
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640
    assert [p.name for p in real.parent.iterdir()] == ["api.conf"]     # no temporary file left behind


def test_crlf_line_endings_are_kept(files, tmp_path):
    path = tmp_path / "api.conf"
    path.write_bytes(NO_ALWAYS.replace("\n", "\r\n").replace(
        '"https://app.example.com"', "$http_origin").encode())
    assert corslint("api.conf", "--fix", "--select", "CORS404,CORS405", cwd=tmp_path).returncode == 0
    data = path.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"$http_origin always;\r\n        add_header Vary Origin always;\r\n" in data


def test_a_file_changed_since_it_was_linted_is_left_alone(files, tmp_path):
    path = files("api.conf", NO_ALWAYS)
    with chdir(tmp_path):
        report = lint(["api.conf"], Settings())
        edited = NO_ALWAYS.replace("X-Frame-Options DENY", "X-Frame-Options SAMEORIGIN")
        path.write_text(edited)
        result = fixes.run(report, lambda: lint(["api.conf"], Settings()), write=True)
    assert result.messages == ["api.conf: not fixed: it changed since it was linted"]
    assert path.read_text() == edited
    assert not result.fixed


def test_write_atomic_refuses_a_file_that_changes_meanwhile(files, tmp_path):
    path = files("api.conf", NO_ALWAYS)
    with chdir(tmp_path):
        report = lint(["api.conf"], Settings())
        plan = fixes.plan(report.findings)
        change = fixes.render("api.conf", plan.edits["api.conf"])
        path.write_text(NO_ALWAYS + "# edited meanwhile\n")
        with pytest.raises(fixes.Stale):
            fixes.write_atomic(change)
    assert path.read_text().endswith("# edited meanwhile\n")
    assert [p.name for p in tmp_path.iterdir()] == ["api.conf"]


def test_fixes_are_only_offered_where_safe(files, tmp_path):
    cases = {
        # a multi-line directive: not a shape the fixer rewrites
        "multiline.conf": NO_ALWAYS.replace('add_header Access-Control-Allow-Credentials "true";',
                                            'add_header Access-Control-Allow-Credentials\n            "true";'),
        # ACAO from headers-more: no add_header block to put Vary into
        "more.conf": textwrap.dedent("""\
            server {
                listen 80;
                location /api/ {
                    more_set_headers "Access-Control-Allow-Origin: $http_origin";
                    proxy_pass http://127.0.0.1:8000;
                }
            }
            """),
        # `false`, `1`, negative or non-numeric Max-Age: no meaning-preserving fix
        "values.conf": textwrap.dedent("""\
            server {
                listen 80;
                location /a/ {
                    add_header Access-Control-Allow-Origin "https://app.example.com" always;
                    add_header Access-Control-Allow-Credentials false always;
                    add_header Access-Control-Max-Age -1 always;
                    return 204;
                }
                location /b/ {
                    add_header Access-Control-Allow-Origin "https://app.example.com" always;
                    add_header Access-Control-Allow-Credentials 1 always;
                    add_header Access-Control-Max-Age 1d always;
                    return 204;
                }
            }
            """),
        # Apache `Header set` -> `Header always set` is not equally safe: no fix
        "httpd.conf": textwrap.dedent("""\
            <VirtualHost *:80>
                ServerName api.example.com
                <Location /api/>
                    Header set Access-Control-Allow-Origin "https://app.example.com"
                    Header set Access-Control-Allow-Credentials "true"
                    ProxyPass http://127.0.0.1:8000/api/
                </Location>
            </VirtualHost>
            """),
    }
    for name, text in cases.items():
        files(name, text)
    with chdir(tmp_path):
        report = lint(list(cases), Settings())
    codes = {(f.path, f.code) for f in report.findings}
    assert ("multiline.conf", "CORS404") in codes and ("more.conf", "CORS405") in codes
    assert ("values.conf", "CORS208") in codes and ("values.conf", "CORS303") in codes
    assert ("httpd.conf", "CORS404") in codes
    assert [f for f in report.findings if f.edits] == []
    assert corslint(*cases, "--diff", cwd=tmp_path).stdout == ""


def test_fix_reaches_into_included_snippets(files, tmp_path):
    files("snippets/cors.conf", 'add_header Access-Control-Allow-Origin "https://app.example.com";\n'
                               'add_header Access-Control-Allow-Credentials "true";\n')
    files("site.conf", textwrap.dedent("""\
        server {
            listen 80;
            location /api/ {
                include snippets/cors.conf;
                proxy_pass http://127.0.0.1:8000;
            }
        }
        """))
    result = corslint("site.conf", "--fix", "--select", FIXABLE, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "snippets/cors.conf").read_text() == (
        'add_header Access-Control-Allow-Origin "https://app.example.com" always;\n'
        'add_header Access-Control-Allow-Credentials "true" always;\n')


def test_overlapping_edits_wait_for_the_next_round(files, tmp_path):
    # CORS404 (always) and CORS303 (7200) edit one line; both end up applied
    files("api.conf", NO_ALWAYS.replace("add_header X-Frame-Options DENY;",
                                       "add_header Access-Control-Max-Age 86400;"))
    result = corslint("api.conf", "--fix", "--select", FIXABLE, cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "add_header Access-Control-Max-Age 7200 always;" in (tmp_path / "api.conf").read_text()


def test_suppressed_findings_are_not_fixed(files, tmp_path):
    text = NO_ALWAYS.replace('"https://app.example.com";', '"https://app.example.com";  # corslint: ignore[CORS404]')
    path = files("api.conf", text)
    assert corslint("api.conf", "--fix", "--select", FIXABLE, cwd=tmp_path).returncode == 0
    assert path.read_text() == text


@pytest.mark.live
def test_fixed_apache_samples_pass_apache_t(fixed_samples):
    from live.apache_harness import ApacheServer, require_apache
    from live.upstream import Upstream

    require_apache()
    base, _before, result = fixed_samples
    changed = sorted(p for p, c in result.changes.items() if c.before != c.after and "/apache/" in p)
    assert changed
    for path in changed:
        # start() runs `apache2 -t` first and raises ApacheError with its output
        with Upstream() as up, ApacheServer.from_site_config((base / path).read_text(), upstream=up):
            pass


def test_fix_on_stdin_prints_the_fixed_text_and_writes_no_file(files, tmp_path):
    """`corslint - --stdin-filename NAME --fix` (an editor's format-on-save):
    the fixed text on stdout, the report of what remains on stderr, the file
    of that name left alone."""
    import subprocess
    import sys

    on_disk = files("api.conf", NO_ALWAYS)
    result = subprocess.run([sys.executable, "-m", "corslint", "-", "--stdin-filename", "api.conf", "--fix",
                             "--select", FIXABLE], input=NO_ALWAYS, capture_output=True, text=True, cwd=tmp_path,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout != NO_ALWAYS and "always" in result.stdout
    assert "No problems found in 1 file." in result.stderr
    assert on_disk.read_text() == NO_ALWAYS
