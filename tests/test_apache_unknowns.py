"""Apache environment variables set outside the linted files are unknown,
judged set (when the request arrives, or in the fixups phase) and not set
(linter/apache/unknowns.py)."""

from __future__ import annotations

from pathlib import Path

from corslint.apache.model import load
from corslint.apache.unknowns import outside

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "apache" / "cors202-env-set-outside.conf"
VHOST = """\
PassEnv FROM_OS
<VirtualHost *:80>
    ServerName api.example.com
    SetEnvIf Origin "^https://app\\.example\\.com$" ORIGIN_OK
    BrowserMatch "MSIE" OLD_BROWSER
    RewriteEngine On
    RewriteRule ^/v1/ - [E=V1:1]
    Header always set X-A 1 env=ORIGIN_OK
    Header always set X-B 1 env=!OLD_BROWSER
    Header always set X-C 1 env=V1
    Header always set X-D 1 env=FROM_OS
    Header always set X-E 1 env=ELSEWHERE
    Header always set X-F 1 env=REDIRECT_STATUS
</VirtualHost>
"""


def test_what_the_files_set_is_known_and_passenv_is_not(tmp_path):
    path = tmp_path / "site.conf"
    path.write_text(VHOST)
    model = load(str(path))
    each_way = [("request", None), ("fixups", None), False]
    assert outside(model.conf, model.htaccess_files) == {"FROM_OS": each_way, "ELSEWHERE": each_way}
    assert len(model.alternatives) == 3   # 9 combinations are more than 8: ELSEWHERE is left undecided
    assert [str(n) for n in model.parsed.notices][-1].endswith(
        "ELSEWHERE: set outside these files, and judging every value would take more than 8 combinations: "
        "conditions on them are taken as false")


def test_the_sample_says_which_assumption_each_finding_needs():
    from corslint.config import Settings
    from corslint.engine import lint

    report = lint([str(SAMPLE)], Settings())
    messages = {f.code: f.message for f in report.findings}
    assert set(messages) == {"CORS104", "CORS202"}
    assert messages["CORS104"].startswith("when PARTNER_CORS is set by a SetEnv or PassEnv outside these files "
                                          "(in the fixups phase): ")
    assert messages["CORS202"].startswith("when PARTNER_CORS is set by a SetEnvIf outside these files or when "
                                          "PARTNER_CORS is set by a SetEnv or PassEnv outside these files")


def test_an_if_on_reqenv_is_judged_with_the_value_it_compares():
    from corslint.config import Settings
    from corslint.engine import lint

    path = SAMPLE.with_name("cors202-if-reqenv-outside.conf")
    model = load(str(path))
    assert [condition for condition, _ in model.alternatives] == [
        "when PARTNER_CORS is set to 'on' by a SetEnvIf outside these files",
        "when PARTNER_CORS is set to 'on' by a SetEnv or PassEnv outside these files (in the fixups phase)",
        "when PARTNER_CORS is not set outside these files"]
    report = lint([str(path)], Settings())
    assert {f.code for f in report.findings} == {"CORS101", "CORS202"}
    assert all(f.message.startswith(model.alternatives[0][0] + ": ") for f in report.findings)
