"""Platform manifests (ingress-nginx, Traefik, Istio/Envoy, AWS SAM and
Serverless): the model's answers against each platform's documented and
source-level behaviour, sample annotations, templates, and the corpus.

There is no live server for these platforms here: every expected answer
below is written from the platform's source (file and function named next
to it), and `simulate` is checked against it for every sample.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from corslint.backend import Upstream
from corslint.browser import Call
from corslint.engine import judge, selected_rules
from corslint.files import template_markup
from corslint.origins import Trust
from corslint.platforms import load
from corslint.probes import ProbeContext
from corslint.simulate import run

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
CORPUS = ROOT.parent / "shared" / "corpus"
PLATFORM_DIRS = ("kubernetes", "traefik", "istio", "aws")
EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")
BACKEND = Upstream(200, [])      # a backend that answers 200 with no CORS header of its own

ING_METHODS = "GET, PUT, POST, DELETE, PATCH, OPTIONS"
ING_HEADERS = "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization"
SLS_HEADERS = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent,X-Amzn-Trace-Id"


def cors(answer) -> list[tuple[str, str]]:
    """The CORS headers and Vary of an answer, in wire order."""
    return [(h.name, h.value) for h in answer.headers if h.name.startswith("access-control-") or h.name == "vary"]


def model(relative: str, **kwargs):
    path = str(SAMPLES / relative)
    return load(path, path, **kwargs)


def H(**values) -> list[tuple[str, str]]:
    names = {"acao": "access-control-allow-origin", "acac": "access-control-allow-credentials",
             "acam": "access-control-allow-methods", "acah": "access-control-allow-headers",
             "aceh": "access-control-expose-headers", "age": "access-control-max-age", "vary": "vary"}
    return [(names[k], v) for k, v in values.items()]


PUT_JSON = (("content-type", "application/json"),)

# (sample, call, traefik version, expected preflight (status, headers) or None, expected response, browser allows?)
CASES = [
    # ingress-nginx: cors/main.go Parse defaults (origin '*', credentials true, defaultCorsMethods/Headers,
    # defaultCorsMaxAge); nginx.tmpl define "CORS": `trueoptions` -> 204, more_set_headers on the response too.
    ("kubernetes/cors201-enable-cors-defaults.yaml",
     Call("https://api.example.com/api/orders", "https://app.example.com", "PUT", PUT_JSON, credentials=True), None,
     (204, H(acao="*", acac="true", acam=ING_METHODS, acah=ING_HEADERS, age="1728000")),
     (200, H(acao="*", acac="true", acam=ING_METHODS, acah=ING_HEADERS, age="1728000")), False),
    # template.go buildCorsOriginRegex: a trailing empty entry leaves `|)$`, which matches every origin.
    ("kubernetes/cors202-trailing-comma.yaml",
     Call("https://accounts.example.com/me", "https://evil.example", credentials=True), None, None,
     (200, H(acao="https://evil.example", acac="true", acam=ING_METHODS, acah=ING_HEADERS, age="600")), True),
    # cors/main.go: a value failing corsOriginRegexValidator -> "defaulting to '*'".
    ("kubernetes/cors503-invalid-origin-falls-back.yaml",
     Call("https://reports.example.com/q", "https://app.example.com", credentials=True), None, None,
     (200, H(acao="*", acac="true", acam=ING_METHODS, acah=ING_HEADERS, age="3600")), False),
    # buildOriginRegex: `*.` is one DNS label; the matching origin is reflected (`$http_origin`).
    ("kubernetes/cors405-origin-list.yaml",
     Call("https://dashboard-api.example.com/v1/x", "https://eu.admin.example.com", "PUT", PUT_JSON,
          credentials=True), None,
     (204, H(acao="https://eu.admin.example.com", acac="true", acam=ING_METHODS, acah="X-Requested-With",
             age="7200")),
     (200, H(acao="https://eu.admin.example.com", acac="true", acam=ING_METHODS, acah="X-Requested-With",
             age="7200")), False),
    # nginx.tmpl: a non-matching origin leaves `$cors` = "options": the OPTIONS request is proxied.
    ("kubernetes/cors405-origin-list.yaml",
     Call("https://dashboard-api.example.com/v1/x", "https://evil.example", "PUT", PUT_JSON), None,
     (200, []), (200, []), False),
    # nginx.tmpl: the CORS block is rendered only `if $location.CorsConfig.CorsEnabled`.
    ("kubernetes/cors503-annotations-without-enable-cors.yaml",
     Call("https://search.example.com/q", "https://www.example.com"), None, None, (200, []), False),
    ("kubernetes/good-public-assets.yaml",
     Call("https://assets.example.com/logo.svg", "https://site.example"), None, None,
     (200, H(acao="*", acam="GET, HEAD, OPTIONS", acah=ING_HEADERS, age="7200")), True),
    ("kubernetes/good-list-kind.yaml",
     Call("https://fonts.example.com/a.woff2", "https://site.example"), None, None,
     (200, H(acao="*", acam=ING_METHODS, acah=ING_HEADERS, age="600")), True),
    ("kubernetes/good-list-kind.yaml",
     Call("https://internal.example.com/", "https://site.example"), None, None, (200, []), False),
    # Traefik v3.7.9 header.go matchOrigin: '*' + credentials -> the request Origin; processCorsHeaders answers
    # 200 with headers in Go's sorted order; Max-Age only when set.
    ("traefik/cors202-wildcard-credentials-crd.yaml",
     Call("https://service.example/orders", "https://evil.example", "PUT", PUT_JSON, credentials=True), None,
     (200, H(acac="true", acah="Content-Type,Authorization", acam="GET,POST,PUT,DELETE",
             acao="https://evil.example", age="600")),
     (200, H(acac="true", acao="https://evil.example")), True),
    # v3.6.21 (before PR #13368): isOriginAllowed returns the literal '*'.
    ("traefik/cors202-wildcard-credentials-crd.yaml",
     Call("https://service.example/orders", "https://evil.example", credentials=True), "3.6.21", None,
     (200, H(acac="true", acao="*")), False),
    # v2.11 header.go (image traefik:v2.11 in the file): literal '*', no ACEH on preflights.
    ("traefik/cors201-wildcard-credentials-v2-labels.yml",
     Call("https://api.example.com/x", "https://app.example.com", "PUT", PUT_JSON, credentials=True), None,
     (200, H(acac="true", acah="Content-Type", acam="GET,POST,PUT", acao="*", age="600")),
     (200, H(acac="true", acao="*")), False),
    # header.go: regexp.MatchString is unanchored; addVaryHeader adds Vary: Origin.
    ("traefik/cors205-unanchored-regex.yml",
     Call("https://api.example.com/v1/x", "https://app.example.com.evil.example"), None, None,
     (200, H(acao="https://app.example.com.evil.example", vary="Origin")), True),
    ("traefik/cors206-http-origin-labels.yml",
     Call("https://api.example.com/x", "http://app.example.com", credentials=True), None, None,
     (200, H(acac="true", acao="http://app.example.com", vary="Origin")), True),
    # header.go compares each accessControlAllowOriginList entry with the Origin as it is: a trailing slash never matches
    ("traefik/cors207-origin-list-trailing-slash.yaml",
     Call("https://api.example.com/x", "https://partners.example.com"), None, None,
     (200, H(vary="Origin")), False),
    # A forwardAuth middleware before the headers middleware sees the preflight first (no credentials: 401).
    ("traefik/cors501-auth-before-cors.yml",
     Call("https://api.example.com/x", "https://app.example.com", "PUT", PUT_JSON, credentials=True), None,
     (401, []), (200, H(acac="true", acao="https://app.example.com", vary="Origin")), False),
    ("traefik/cors302-no-allow-headers.toml",
     Call("https://api.example.com/x", "https://app.example.com", "PUT", PUT_JSON), None,
     (200, H(acam="GET,PUT", acao="https://app.example.com", age="600")),
     (200, H(acao="https://app.example.com", vary="Origin")), False),
    ("traefik/good-file-provider.toml",
     Call("https://api.example.com/v2/x", "https://admin.example.com", "PUT", PUT_JSON, credentials=True), None,
     (200, H(acac="true", acah="Content-Type,Authorization", acam="GET,POST,PUT,DELETE",
             acao="https://admin.example.com", age="600")),
     (200, H(acac="true", acao="https://admin.example.com", vary="Origin")), True),
    ("traefik/good-crd.yaml", Call("https://service.example/", "https://site.example"), None, None,
     (200, H(acao="*")), True),
    # Envoy cors_filter.cc isOriginAllowed (a matcher matching "*"), decodeHeaders (local 200, ACAO = Origin),
    # encodeHeaders (ACAO, ACAC, ACEH on the upstream answer); Istio maxAge "10m" -> "600".
    ("istio/cors202-exact-star-credentials.yaml",
     Call("https://orders.example.com/api/1", "https://evil.example", "PUT", PUT_JSON, credentials=True), None,
     (200, H(acao="https://evil.example", acac="true", acam="GET,POST,PUT", acah="content-type,authorization",
             age="600")),
     (200, H(acao="https://evil.example", acac="true")), True),
    # prefix matchers use startsWith; a disallowed preflight is forwarded upstream (forwardNotMatchingPreflights).
    ("istio/cors205-prefix-matcher.yaml",
     Call("https://billing.example.com/x", "https://app.example.com.evil.example", credentials=True), None, None,
     (200, H(acao="https://app.example.com.evil.example", acac="true")), True),
    ("istio/cors205-prefix-matcher.yaml",
     Call("https://billing.example.com/x", "https://evil.example", "PUT", PUT_JSON), None, (200, []), (200, []),
     False),
    ("istio/cors303-max-age-days.yaml",
     Call("https://catalog.example.com/x", "https://shop.example.com", "PUT", PUT_JSON), None,
     (200, H(acao="https://shop.example.com", acam="GET,PUT", acah="content-type", age="172800")),
     (200, H(acao="https://shop.example.com")), True),
    ("istio/good-regex-with-vary.yaml",
     Call("https://profile.example.com/me", "https://admin.example.com", credentials=True), None, None,
     (200, H(vary="Origin", acao="https://admin.example.com", acac="true")), True),
    # SAM swagger.py _options_method_response_for_cors: ACAO, ACAH, ACAM (sorted path methods + OPTIONS),
    # Max-Age, ACAC; the Lambda answers actual requests without CORS headers unless it adds them.
    ("aws/good-sam.yaml",
     Call("https://service.example/notes/1", "https://app.example.com", "PUT", PUT_JSON), None,
     (200, H(acao="https://app.example.com", acah="Content-Type,Authorization", acam="OPTIONS,PUT", age="600")),
     (200, []), False),
    ("aws/cors207-sam-origin-list.yaml",
     Call("https://service.example/users/1", "https://app.example.com", "PUT", PUT_JSON), None,
     (200, H(acao="https://app.example.com,https://admin.example.com", acah="Content-Type", acam="OPTIONS,PUT",
             age="600")), (200, []), False),
    # Serverless cors.js compileCors: ACAO, ACAH (validate.js defaults), ACAM (OPTIONS + the event's method), ACAC.
    ("aws/serverless-cors201.yml",
     Call("https://service.example/invoices", "https://app.example.com", "POST", PUT_JSON, credentials=True), None,
     (200, H(acao="*", acah=SLS_HEADERS, acam="OPTIONS,POST", acac="true")), (200, []), False),
    # generateCorsResponseTemplate: a matching Origin overrides the static first entry.
    ("aws/serverless-good.yml",
     Call("https://service.example/reviews", "https://eu.shop.example.com", "POST", PUT_JSON), None,
     (200, H(acao="https://eu.shop.example.com", acah="Content-Type,Authorization", acam="OPTIONS,POST",
             age="600")), (200, []), False),
    ("aws/serverless-good.yml",
     Call("https://service.example/products/1", "https://app.example.com", "PUT", PUT_JSON), None,
     (200, H(acao="*", acah=SLS_HEADERS, acam="OPTIONS,PUT")), (200, []), False),
    # Authorizers ("Gateway response types for API Gateway"): a request without the token gets API Gateway's
    # own 401 (UNAUTHORIZED, else DEFAULT_4XX) with only the gateway response's headers; SAM's ApiAuth puts
    # the DefaultAuthorizer on the CORS OPTIONS method unless AddDefaultAuthorizerToCorsPreflight is false.
    ("aws/cors404-sam-authorizer-without-gateway-responses.yaml",
     Call("https://service.example/orders", "https://shop.example.com", "GET"), None, None, (401, []), False),
    ("aws/good-sam-authorizer-gateway-responses.yaml",
     Call("https://service.example/orders", "https://shop.example.com", "GET"), None, None,
     (401, H(acao="https://shop.example.com", acah="Content-Type,Authorization")), True),
    ("aws/cors105-sam-default-authorizer-on-preflight.yaml",
     Call("https://service.example/profile", "https://app.example.com", "PUT", PUT_JSON), None,
     (401, H(acao="https://app.example.com")), (401, H(acao="https://app.example.com")), False),
    ("aws/serverless-cors404-authorizer.yml",
     Call("https://service.example/invoices", "https://billing.example.com", "GET"), None, None, (401, []), False),
    ("aws/serverless-good-authorizer.yml",
     Call("https://service.example/invoices", "https://billing.example.com", "GET"), None, None,
     (401, H(acao="https://billing.example.com", acah="Content-Type,Authorization")), True),
]


@pytest.mark.parametrize("sample, call, version, preflight, response, allowed", CASES,
                         ids=[f"{c[0]}:{c[1].origin}:{c[1].method}:{c[2]}" for c in CASES])
def test_simulate_matches_platform_behaviour(sample, call, version, preflight, response, allowed):
    kwargs = {"traefik_version": version} if version else {}
    sim = run(model(sample, **kwargs), call, upstream=BACKEND)
    if preflight is not None:
        assert sim.preflight is not None
        assert (sim.preflight.status, cors(sim.preflight)) == preflight
    assert (sim.response.status, cors(sim.response)) == response
    assert sim.verdict.allowed is allowed


def test_every_sample_has_a_simulate_case():
    covered = {case[0] for case in CASES}
    rejected = {"kubernetes/cors502-unquoted-annotation.yaml", "aws/cors502-sam-wildcard-credentials.yaml",
                "aws/cors502-sam-unquoted-origin.yaml", "istio/cors202-exact-star-credentials.yaml"}
    samples = {str(p.relative_to(SAMPLES)) for d in PLATFORM_DIRS for p in (SAMPLES / d).rglob("*")
               if p.suffix in (".yaml", ".yml", ".toml") and not template_markup(str(p))}
    assert samples - covered <= rejected - covered, sorted(samples - covered)


# -- samples: the exact (line, code) set of each file ---------------------------------------------------------------
def platform_samples() -> list[Path]:
    return sorted(p for d in PLATFORM_DIRS for p in (SAMPLES / d).rglob("*")
                  if p.suffix in (".yaml", ".yml", ".toml"))


def lint_platform(path: str, **kwargs) -> tuple[set, list, list]:
    m = load(path, path, **kwargs)
    if m.parsed.errors:
        return set(), m.parsed.errors, []
    found, errors = judge(m, selected_rules(["CORS"], []), lambda mm: ProbeContext(mm, Trust([]), []))
    assert not errors, [str(e) for e in errors]     # a rule crashed on this model
    return {(f.line, f.code) for f in found}, [], found


@pytest.mark.parametrize("path", platform_samples(), ids=lambda p: str(p.relative_to(SAMPLES)))
def test_sample_annotations(path: Path):
    """Until files.py classifies these kinds, tests/test_samples.py skips them: the same check here."""
    got, errors, _ = lint_platform(str(path))
    if template_markup(str(path)):
        assert errors and not got     # a template: the engine renders it (tests/test_templates.py)
        return
    assert not errors
    expected = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        m = EXPECT.search(line)
        if m:
            expected.update((number, c.strip()) for c in m.group(1).split(",") if c.strip())
    assert got == expected


# -- semantics in isolation -----------------------------------------------------------------------------------------
def ingress(tmp_path, annotations: str):
    text = ("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: t\n  annotations:\n"
            + "".join(f"    {line}\n" for line in annotations.strip().splitlines())
            + "spec:\n  rules:\n    - host: api.example.com\n      http:\n        paths:\n          - path: /\n"
              "            pathType: Prefix\n            backend:\n              service:\n                name: a\n"
              "                port:\n                  number: 80\n")
    path = tmp_path / "ingress.yaml"
    path.write_text(text)
    return load(str(path), str(path))


def ask(m, origin, method="GET", acrm=None):
    from corslint.model import Request

    headers = (("origin", origin),) + ((("access-control-request-method", acrm),) if acrm else ())
    return m.answer(Request(method, "https://api.example.com/x", headers), upstream=BACKEND)


@pytest.mark.parametrize("value, admitted, refused", [
    # buildCorsOriginRegex: `~*` is case-insensitive, `$`-terminated; `*.` is one label (buildOriginRegex)
    ("https://a.example.com", ["https://A.EXAMPLE.COM"], ["https://a.example.com.evil.net", "https://b.example.com"]),
    ("https://*.example.com", ["https://x-1.example.com"], ["https://a.b.example.com", "https://example.com"]),
    # Parse: entries without a scheme are skipped, the valid ones stay
    ("example.org, https://b.example.com", ["https://b.example.com"], ["https://example.org"]),
    # Parse: nothing valid -> no CORS block at all (nginx.tmpl renders the `if` only for a non-empty list)
    ("example.org", [], ["https://example.org", "https://evil.example"]),
    # ValidateRegex: a path fails the whole-value validator -> '*'; `null` passes it, then fails the entry regex
    ("https://a.example.com/", ["*"], []),
    ("null", [], ["null"]),
])
def test_ingress_nginx_origin_parsing(tmp_path, value, admitted, refused):
    m = ingress(tmp_path, f'nginx.ingress.kubernetes.io/enable-cors: "true"\n'
                          f'nginx.ingress.kubernetes.io/cors-allow-origin: "{value}"')
    for origin in admitted:
        expected = "*" if origin == "*" else origin
        probe = "https://anything.example" if origin == "*" else origin
        assert ask(m, probe).values("access-control-allow-origin") == [expected]
    for origin in refused:
        answer = ask(m, origin, "OPTIONS", "PUT")
        assert answer.handler == "proxy" and not answer.has("access-control-allow-origin")


def test_ingress_nginx_fallbacks(tmp_path):
    # Parse: invalid credentials -> true; invalid methods -> default; any OPTIONS (no ACRM needed) -> 204
    m = ingress(tmp_path, 'nginx.ingress.kubernetes.io/enable-cors: "true"\n'
                          'nginx.ingress.kubernetes.io/cors-allow-origin: "https://a.example.com"\n'
                          'nginx.ingress.kubernetes.io/cors-allow-credentials: "yes"\n'
                          'nginx.ingress.kubernetes.io/cors-allow-methods: "GET;PUT"')
    answer = ask(m, "https://a.example.com", "OPTIONS")
    assert answer.status == 204
    assert answer.get("access-control-allow-credentials") == "true"
    assert answer.get("access-control-allow-methods") == ING_METHODS
    assert {type(f).__name__ for f in m.facts()} == {"RiskyDefault"}



@pytest.mark.parametrize("name, go_pattern", [
    ("METHODS", r"^([A-Za-z]+,?\s?)+$"),
    ("HEADERS", r"^([A-Za-z0-9\-_]+,?\s?)+$"),
    ("EXPOSE", r"^(([A-Za-z0-9\-_]+|\*),?\s?)+$"),
])
def test_ingress_nginx_list_validators_accept_what_ingress_nginx_does(name, go_pattern):
    """Each validator admits exactly the strings of ingress-nginx's own
    (cors/main.go) on every string of up to 6 characters over letters, `-`,
    `*`, `,`, space and tab; and a long near-miss is decided at once (the
    original backtracks exponentially in Python's `re`)."""
    import itertools
    import time

    from corslint.platforms import ingress_nginx

    ours, theirs = getattr(ingress_nginx, name), re.compile(go_pattern)
    for size in range(7):
        for chars in itertools.product("aB-*, \t", repeat=size):
            text = "".join(chars)
            assert bool(ours.match(text)) == bool(theirs.match(text)), repr(text)
    started = time.process_time()
    assert not ours.match("GET " * 5000 + "!")
    assert time.process_time() - started < 0.5

def test_traefik_versions(tmp_path):
    path = tmp_path / "mw.yaml"
    path.write_text("http:\n  middlewares:\n    c:\n      headers:\n        accessControlAllowOriginList: ['*']\n"
                    "        accessControlAllowCredentials: true\n        accessControlAllowHeaders: ['*']\n")
    from corslint.model import Request

    req = Request("OPTIONS", "https://service.example/", (("origin", "https://evil.example"),
                                                           ("access-control-request-method", "PATCH"),
                                                           ("access-control-request-headers", "x-a")))
    new = load(str(path), str(path)).answer(req, upstream=BACKEND)
    old = load(str(path), str(path), traefik_version="3.7.5").answer(req, upstream=BACKEND)
    # v3.7.9 processCorsHeaders: ACRH echoed for '*' + credentials, no Max-Age unless set
    assert cors(new) == H(acac="true", acah="x-a", acao="https://evil.example")
    # before v3.7.6: the literal lists, and Max-Age 0 always
    assert cors(old) == H(acac="true", acah="*", acao="*", age="0")
    # a disallowed origin still gets Traefik's own 200 preflight, without ACAO
    path.write_text(path.read_text().replace("['*']\n        accessControlAllowCredentials",
                                             "['https://a.example']\n        accessControlAllowCredentials"))
    answer = load(str(path), str(path)).answer(req, upstream=BACKEND)
    assert answer.status == 200 and not answer.has("access-control-allow-origin")


def test_istio_ignore_unmatched_preflights(tmp_path):
    path = tmp_path / "vs.yaml"
    path.write_text("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\n"
                    "spec:\n  hosts: [api.example.com]\n  http:\n    - corsPolicy:\n"
                    "        allowOrigins: [{exact: https://a.example}]\n        allowMethods: ['*']\n"
                    "        unmatchedPreflights: IGNORE\n")
    m = load(str(path), str(path))
    # cors_filter.cc decodeHeaders: not forwarded -> local 200 without ACAO; `*` methods echo ACRM
    answer = ask(m, "https://evil.example", "OPTIONS", "PATCH")
    assert (answer.status, cors(answer)) == (200, H(acam="PATCH"))


def test_safe_loader_never_constructs_python_objects(tmp_path):
    marker = tmp_path / "executed"
    path = tmp_path / "evil.yaml"
    path.write_text(f"kind: Ingress\nx: !!python/object/apply:os.system ['touch {marker}']\n")
    m = load(str(path), str(path))
    assert m.parsed.errors and not marker.exists()


def test_helm_template_is_not_yaml_until_rendered():
    path = str(SAMPLES / "kubernetes/helm/templates/ingress.yaml")
    m = load(path, path)
    assert len(m.parsed.errors) == 1 and template_markup(path)


def test_cloudformation_tags_are_unknown_values(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n"
                    "    Properties:\n      Cors:\n        AllowOrigin: !Sub \"'${Origin}'\"\n")
    assert not load(str(path), str(path)).parsed.errors


# -- the corpus: every platform file lints without errors; findings pinned after reading each manifest ------------
CORPUS_PINNED = {
    # line 11 cors-allow-origin '$http_origin' fails the validator -> '*'; credentials "true"; default max-age (line 9)
    "k8s-misc/NCEAS__metadig-engine__k8s__ingress-metadig.yaml": {(9, "CORS303"), (11, "CORS201"), (11, "CORS503")},
    "k8s-misc/DataONEorg__k8s-cluster__control-plane__ingress__superseded--nginx-ingress-controller__ingress-metadig.yaml":
        {(9, "CORS303"), (11, "CORS201"), (11, "CORS503")},
    # regex ".*" (line 18) reflects every origin with credentials, no addVaryHeader; maxAge 1728000 (line 35)
    "k8s-misc/DataONEorg__k8s-cluster__control-plane__ingress__traefik__howto-examples__headers-middleware.yaml":
        {(18, "CORS202"), (18, "CORS405"), (35, "CORS303")},
    # '*' without credentials, but no accessControlAllowHeaders: a JSON preflight fails (headers: line 6)
    "k8s-misc/alkem-io__server-api-mcp__k8s__middleware.yaml": {(6, "CORS302")},
    # traefik:v3.0 image: Max-Age 0 default; http://localhost:5173 with credentials; no addVaryHeader
    # the only http:// origins of these lists are loopback (http://localhost:5173, :4200): potentially
    # trustworthy (Secure Contexts §3.1), no CORS206
    "traefik-misc/2025-summer-teamD__backend__docker-compose.prod.yml": {(50, "CORS503"), (51, "CORS405")},
    "traefik-misc/Eventian__Calentian_Backend__traefik__middlewares.yml": {(21, "CORS405")},
    # forwardAuth `auth-check` listed before `cors-headers` on router api-gateway
    "traefik-misc/Hng-Stage4__hngx13-stage-4-backend__traefik__dynamic_conf.yml": {(9, "CORS105"), (11, "CORS501")},
    # http://localhost:3000 with credentials: loopback, potentially trustworthy, no CORS206
    "traefik-misc/Nej-ma__breezy-backend__traefik__middlewares.yml": {(15, "CORS405")},
    # the origin "https://${DOMAIN}://localhost:5173" matches nothing: no header, no finding
    "traefik-misc/2025-summer-teamD__backend__traefik__dynamic.yml": set(),
    # PUT allowed but no accessControlAllowHeaders (table at line 30)
    "traefik-traefik/integration__fixtures__headers__cors.toml": {(30, "CORS302")},
}


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for d in ("k8s-misc", "traefik-misc", "traefik-traefik") for p in (CORPUS / d).iterdir()
                  if p.name != "MANIFEST.md")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared/corpus is not next to the repository")
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus(path: Path):
    got, errors, _ = lint_platform(str(path))
    if errors:
        assert template_markup(str(path)), errors     # Helm templates are rendered by the engine, nothing else may fail
        return
    key = f"{path.parent.name}/{path.name}"
    assert key in CORPUS_PINNED and got == CORPUS_PINNED[key]
