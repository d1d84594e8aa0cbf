"""Acceptance: an environment variable set outside the linted files, each way, on real Apache.

``samples/apache/cors202-env-set-outside.conf`` sends its CORS lines with
``Header ... env=PARTNER_CORS``, ``cors202-if-reqenv-outside.conf`` inside
``<If "reqenv('PARTNER_CORS') == 'on'">``; neither sets PARTNER_CORS.
Apache runs each included from a main configuration that sets it
(``SetEnvIf`` or ``SetEnv`` at server level: both reach the vhost, but a
SetEnv only in the fixups phase, after the server-level ``RewriteRule ...
[R=204]`` answered the preflight and after every ``<If>``) or does not.
The model reads the vhost file only, so PARTNER_CORS is unknown to it: its
alternative assuming what the main configuration does must answer every
preflight and GET (trusted, hostile and null origins; a backend that
answers 204/200 and one that answers 500) exactly as Apache does.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from corslint.apache.model import load

from .apache_compare import HOSTILE, NULL, ConfApache, differences
from .apache_harness import Upstream, require_apache
from .model_compare import BACKENDS, Backend, probe_paths, trusted_origin
from .test_apache_samples import rewrite

pytestmark = pytest.mark.live

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "apache"
#: sample -> the value the model assumes PARTNER_CORS is set to (None: unknown, only `env=` tests it)
VALUES = {"cors202-env-set-outside.conf": None, "cors202-if-reqenv-outside.conf": "on"}
#: the main configuration's line -> when it sets PARTNER_CORS (apache/unknowns.py), False: never
MAIN = {"SetEnv PARTNER_CORS on": "fixups", "SetEnvIf Request_URI . PARTNER_CORS=on": "request", "": False}


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("main", sorted(MAIN), ids=["unset", "SetEnv", "SetEnvIf"])
@pytest.mark.parametrize("sample", sorted(VALUES))
def test_each_assumption_answers_as_apache_with_that_main_config(sample: str, main: str, backend: str) -> None:
    require_apache()
    app = Backend(backend)
    with Upstream(responder=app.respond) as up, ConfApache(
            f"{main}\nInclude @@PREFIX@@/site.conf\n",
            prefix_files={"site.conf": rewrite((SAMPLES / sample).read_text())},
            upstream=up) as apache:
        model = load(os.path.join(apache.prefix, "site.conf"))
        assert not model.parsed.errors, model.parsed.errors
        value = VALUES[sample]
        assert [variant.assumed["PARTNER_CORS"] for _, variant in model.alternatives] == [
            ("request", value), ("fixups", value), False]
        variant = model.assuming({"PARTNER_CORS": MAIN[main] and (MAIN[main], value)})
        problems, count = [], 0
        for scope in variant.scopes():
            parts = urlsplit(scope.url)
            urls = [f"{parts.scheme}://{parts.netloc}{p}" for p in probe_paths(scope)]
            n, found = differences(apache, variant, urls, (trusted_origin(scope), HOSTILE, NULL), app.for_model)
            count, problems = count + n, problems + found
    assert count and not problems, f"{main!r}: {len(problems)} of {count} answers differ\n" + "\n".join(problems)
