"""`corslint simulate`: ask the model, then run the browser's CORS check.

The server side comes from the model (what the server sends for the
preflight and for the actual request); the browser side from `browser`
(Chromium's order and exact console texts).  The text report ends with the
configuration lines behind a failure, what to change, and, last, the
console line Chromium prints (or that the call succeeds).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from . import display
from .browser import (
    Call,
    Verdict,
    actual_request,
    console_line,
    evaluate,
    needs_preflight,
    preflight_request,
    unsafe_header_names,
)
from .cors import ACAC, ACAH, ACAM, ACAO, ACRH, ACRM, SAFELISTED_METHODS
from .backend import FileOracle, Upstream
from .model import Answer, Handler, Request, ServerModel
from .record import field, record


@record
class Simulation:
    call: Call
    preflight: Answer | None
    response: Answer
    verdict: Verdict
    #: requests sent after a redirect to the same server, with their answers
    hops: list[tuple[Request, Answer]] = field(default_factory=list)


def run(model: ServerModel, call: Call, *, upstream: Upstream | None = None, files: FileOracle | None = None,
        client_addr: str | None = None) -> Simulation:
    """Ask the model for the preflight (when the call needs one) and the
    actual request, and let the browser judge them.  `upstream`, `files` and
    `client_addr` go to every `ServerModel.answer` as they are (None: unknown)."""
    hops: list[tuple[Request, Answer]] = []

    def ask(request: Request) -> Answer:
        return model.answer(request, upstream=upstream, files=files, client_addr=client_addr)

    def follow(request: Request) -> Answer | None:
        """Redirects are followed only to the server that was asked: the
        configuration says nothing about another scheme, host or port."""
        if _authority(request.url) != _authority(call.url):
            return None
        answer = ask(request)
        hops.append((request, answer))
        return answer

    preflight = ask(preflight_request(call)) if needs_preflight(call) else None
    response = ask(actual_request(call))
    verdict = evaluate(call, preflight, response, follow)
    return Simulation(call, preflight, response, verdict, hops)


def run_each(model: ServerModel, call: Call, **given) -> list[tuple[str | None, Simulation]]:
    """`run` under each value of a fact the input leaves unknown (the
    model's `alternatives`, linter/alternatives.py: an nginx variable set
    outside the files, the Express major), each with its assumption: the
    answers may differ, and `simulate` must not pretend to know which one
    the server gives.  One (None, simulation) when nothing is unknown."""
    alternatives = getattr(model, "alternatives", None) or [(None, model)]
    return [(condition, run(alternative, call, **given)) for condition, alternative in alternatives]


def each_to_text(sims: list[tuple[str | None, Simulation]]) -> str:
    """`to_text` of each simulation, after the assumption it took."""
    if len(sims) == 1:
        return to_text(sims[0][1])
    return "\n".join(display.line(f"Assuming: {condition}") + "\n" + to_text(sim) for condition, sim in sims)


def each_to_json(sims: list[tuple[str | None, Simulation]]) -> dict:
    """`to_json` of the simulation, or `{"alternatives": [...]}` with each one's `assumption`."""
    if len(sims) == 1:
        return to_json(sims[0][1])
    return {"alternatives": [{"assumption": condition, **to_json(sim)} for condition, sim in sims]}


def _authority(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


def _headers(answer: Answer) -> dict[str, list]:
    out: dict[str, list] = {}
    for line in answer.headers:
        out.setdefault(line.name, []).append(line.value)
    return out


def to_json(sim: Simulation) -> dict:
    call, verdict = sim.call, sim.verdict
    return {
        "request": {"url": call.url, "origin": call.origin, "method": call.method,
                    "headers": unsafe_header_names(call.headers), "credentials": call.credentials,
                    "initiator": call.initiator},
        "preflight": None if sim.preflight is None else {"status": sim.preflight.status,
                                                          "headers": _headers(sim.preflight)},
        "response": {"status": sim.response.status, "headers": _headers(sim.response)},
        "redirects": [{"method": r.method, "url": r.url, "status": a.status, "headers": _headers(a)}
                      for r, a in sim.hops],
        "verdict": {"allowed": verdict.allowed, "stage": verdict.stage, "error": verdict.error,
                    "kind": verdict.kind, "notes": verdict.notes, "reason": verdict.reason,
                    "console": console_line(call, verdict)},
    }


def _answer_text(label: str, request_line: str, answer: Answer) -> list[str]:
    status = answer.status if answer.status is not None else "unknown"
    lines = [f"{label}: {request_line} -> {status}"]
    if answer.status is None and answer.handler == Handler.PROXY:
        lines[0] += " (proxied: pass --upstream-status to describe the backend)"
    for h in answer.headers:
        where = f"  ({h.source})" if h.source is not None else "  (from the backend)" if h.from_upstream else ""
        value = h.value if h.value is not None else "<unknown>"
        lines.append(f"  {h.name}: {value}{where}")
    if answer.upstream_headers_unknown:
        lines.append("  (the backend's own headers are unknown: describe them with --upstream-header)")
    if answer.client_addr is not None:
        lines.append(f"  (an address rule decided this for the client {answer.client_addr}: a remote client unless "
                     "--client-ip says otherwise)")
    for text, source in answer.trace:
        lines.append(f"  why: {text}")
    return lines


def to_text(sim: Simulation) -> str:
    call, verdict = sim.call, sim.verdict
    req = actual_request(call)
    api = "XMLHttpRequest" if call.initiator == "xhr" else "fetch"
    lines = [f"Request: {req.method} {call.url} from {call.origin}"
             f"{' with credentials' if call.credentials else ''} ({api})"]
    if sim.preflight is None:
        lines.append("Preflight: none (a simple request)")
    else:
        pf = preflight_request(call)
        detail = ", ".join(v for v in (pf.header(ACRM), pf.header(ACRH)) if v)
        first, *rest = _answer_text("Preflight", f"OPTIONS {pf.target} ({detail})", sim.preflight)
        lines += [first, f"  sent because {_why_preflight(call)}", *rest]
    lines += _answer_text("Response", f"{req.method} {req.target}", sim.response)
    for request, answer in sim.hops:
        lines += _answer_text("Redirected", f"{request.method} {request.url}", answer)
    lines += [f"Note: {note}" for note in verdict.notes]
    if verdict.allowed is True:
        lines.append("Verdict: allowed: the browser lets the page read the response.")
        lines.append(f"Chromium: the console shows no CORS error; the {api} call succeeds"
                     + (" over HTTP/2 or HTTP/3 (see the note)." if call.streams else "."))
    elif verdict.allowed is None:
        lines.append(f"Verdict: cannot tell: {verdict.reason}")
    else:
        answer = _deciding_answer(sim)
        lines.append(f"Verdict: blocked at the {verdict.stage}.")
        elsewhere = sim.response.config_lines(ACAO)
        lines += [f"Caused by: {cause}" for cause in _causes(verdict, answer, elsewhere)]
        lines.append(f"Fix: {_fix(call, verdict, answer)}")
        lines.append(console_line(call, verdict))  # last, verbatim: what people paste into searches
    # each entry is one line; what the configuration or the arguments put in
    # it is escaped (display.py), a line break of its own included
    return "\n".join(display.line(text) for text in lines) + "\n"


def _why_preflight(call: Call) -> str:
    reasons = []
    method = actual_request(call).method
    if method not in SAFELISTED_METHODS:
        reasons.append(f"the method {method} is not GET, HEAD or POST")
    unsafe = unsafe_header_names(call.headers)
    if unsafe:
        reasons.append(f"the request sets {', '.join(unsafe)}, which CORS does not safelist")
    if call.force_preflight and not reasons:
        reasons.append("the body is a stream or the XMLHttpRequest has upload listeners")
    return " and ".join(reasons)


def _deciding_answer(sim: Simulation) -> Answer:
    if sim.hops:
        return sim.hops[-1][1]
    return sim.preflight if sim.verdict.stage == "preflight" and sim.preflight else sim.response


# The header each kind of failure is about (kinds without "Preflight").
_HEADER_OF = {
    "WildcardOriginNotAllowed": ACAO,
    "MultipleAllowOriginValues": ACAO,
    "InvalidAllowOriginValue": ACAO,
    "AllowOriginMismatch": ACAO,
    "InvalidAllowCredentials": ACAC,
    "InvalidAllowMethodsPreflightResponse": ACAM,
    "MethodDisallowedByPreflightResponse": ACAM,
    "InvalidAllowHeadersPreflightResponse": ACAH,
    "HeaderDisallowedByPreflightResponse": ACAH,
    "RedirectContainsCredentials": "location",
    "PreflightDisallowedRedirect": "location",
}


def _causes(verdict: Verdict, answer: Answer, sim_response_lines: list = ()) -> list[str]:
    """The configuration lines behind the failing answer: the lines that sent
    the header in question (and what chose their value), or, for a missing
    header or a bad status, what decided the status and what removed it, and
    (`sim_response_lines`) where the actual response gets the missing
    Access-Control-Allow-Origin the preflight lacks."""
    kind = (verdict.kind or "").removeprefix("Preflight") if verdict.kind != "PreflightDisallowedRedirect" \
        else verdict.kind
    name = _HEADER_OF.get(kind or "")
    causes = []
    if name:
        for line in answer.lines(name):
            where = f" ({line.source})" if line.source else " (sent by the backend)" if line.from_upstream else ""
            causes.append(f"{line.name}: {line.value if line.value is not None else '<unknown>'}{where}")
            causes += [f"  chosen at {via}" for via in line.via]
        if not answer.lines(name):
            causes.append(f"no {name} line is sent")
    else:
        status = answer.status if answer.status is not None else "unknown"
        source = f" ({answer.status_source})" if answer.status_source else ""
        causes.append(f"status {status}{source}, with no access-control-allow-origin line"
                      if "MissingAllowOrigin" in (verdict.kind or "") else f"status {status}{source}")
    for stripped, source in answer.stripped:
        causes.append(f"{stripped} removed at {source}")
    if verdict.kind == "PreflightMissingAllowOriginHeader":
        for line in sim_response_lines:
            causes.append(f"the actual request gets access-control-allow-origin from {line.source}, "
                          "the preflight does not")
    return causes


def _fix(call: Call, verdict: Verdict, answer: Answer) -> str:
    """One sentence on what to change, by Chromium's error kind."""
    kind = (verdict.kind or "").removeprefix("Preflight")
    origin = call.origin
    preflight = verdict.stage == "preflight"
    where = "the preflight (OPTIONS) response" if preflight else "this response"
    method = actual_request(call).method
    fixes = {
        "MissingAllowOriginHeader":
            f"send Access-Control-Allow-Origin: {origin} on {where}"
            + (f" from the error page's own location or URL (status {answer.status}: the error page is answered "
               "there, with its headers only)" if answer.handler in (Handler.ERROR_PAGE, Handler.ERRORDOCUMENT) else
               f" (status {answer.status}: in nginx add `always` to add_header, in Apache use "
               "`Header always set`)" if answer.status and answer.status >= 300 else ""),
        "WildcardOriginNotAllowed":
            f"with credentials, send the exact origin (Access-Control-Allow-Origin: {origin}, "
            "plus Vary: Origin) instead of *",
        "MultipleAllowOriginValues":
            "send exactly one Access-Control-Allow-Origin line holding one origin (when both the "
            "backend and the proxy add it, hide one: nginx proxy_hide_header)",
        "InvalidAllowOriginValue":
            f"send Access-Control-Allow-Origin: {origin} (a whole origin: scheme://host[:port])",
        "AllowOriginMismatch":
            f"send Access-Control-Allow-Origin: {origin} byte for byte (scheme, host and port, "
            "no trailing slash)",
        "InvalidAllowCredentials":
            f"send Access-Control-Allow-Credentials: true (lower-case, one line) on {where}",
        "InvalidStatus":
            "answer the preflight with a 2xx status (204) before authentication, routing or "
            "method checks: browsers send OPTIONS without cookies or Authorization",
        "DisallowedRedirect":
            "answer the OPTIONS preflight at this URL instead of redirecting it (or have the page "
            "call the final URL)",
        "InvalidAllowMethodsPreflightResponse":
            "make Access-Control-Allow-Methods a comma-separated list of method names",
        "InvalidAllowHeadersPreflightResponse":
            "make Access-Control-Allow-Headers a comma-separated list of header names",
        "MethodDisallowedByPreflightResponse":
            f"add {method} to Access-Control-Allow-Methods (the match is case-sensitive)",
        "HeaderDisallowedByPreflightResponse":
            f"add {verdict.parameter} to Access-Control-Allow-Headers" + (" (with credentials, * is not a wildcard)"
                                               if call.credentials else ""),
        "RedirectContainsCredentials":
            "redirect to a URL without user:password@",
    }
    return fixes.get(kind, "see the console line above")
