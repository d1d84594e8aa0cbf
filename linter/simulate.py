"""`corslint simulate`: ask the model, then run the browser's CORS check.

The server side comes from the model (what nginx sends for the preflight
and for the actual request); the browser side from `browser` (Chromium's
order and exact console texts).
"""

from __future__ import annotations

from dataclasses import dataclass

from .browser import Call, actual_request, console_line, evaluate, needs_preflight, preflight_request
from .model import Answer


@dataclass
class Simulation:
    call: Call
    preflight: Answer | None
    response: Answer
    verdict: object


def run(model, call: Call, upstream=None, files=None, client_addr: str | None = None) -> Simulation:
    kwargs = {}
    if upstream is not None:
        kwargs["upstream"] = upstream
    if files is not None:
        kwargs["files"] = files
    if client_addr is not None:
        kwargs["client_addr"] = client_addr
    preflight = model.answer(preflight_request(call), **kwargs) if needs_preflight(call) else None
    response = model.answer(actual_request(call), **kwargs)
    return Simulation(call, preflight, response, evaluate(call, preflight, response))


def _headers(answer: Answer) -> dict[str, list]:
    out: dict[str, list] = {}
    for line in answer.headers:
        out.setdefault(line.name, []).append(line.value)
    return out


def to_json(sim: Simulation) -> dict:
    call = sim.call
    from .browser import unsafe_header_names

    verdict = sim.verdict
    return {
        "request": {"url": call.url, "origin": call.origin, "method": call.method,
                    "headers": unsafe_header_names(call.headers), "credentials": call.credentials},
        "preflight": None if sim.preflight is None else {"status": sim.preflight.status,
                                                          "headers": _headers(sim.preflight)},
        "response": {"status": sim.response.status, "headers": _headers(sim.response)},
        "verdict": {"allowed": verdict.allowed, "stage": verdict.stage, "error": verdict.error,
                    "kind": verdict.kind, "notes": verdict.notes, "reason": verdict.reason},
    }


def _answer_text(label: str, request_line: str, answer: Answer) -> list[str]:
    status = answer.status if answer.status is not None else "unknown"
    lines = [f"{label}: {request_line} -> {status}"]
    if answer.status is None and answer.handler == "proxy":
        lines[0] += " (proxied: pass --upstream-status to describe the backend)"
    for h in answer.headers:
        where = f"  ({h.source})" if h.source is not None else "  (from the backend)" if h.from_upstream else ""
        value = h.value if h.value is not None else "<unknown>"
        lines.append(f"  {h.name}: {value}{where}")
    if answer.upstream_headers_unknown:
        lines.append("  (the backend's own headers are unknown: describe them with --upstream-header)")
    for text, source in answer.trace:
        lines.append(f"  why: {text}")
    return lines


def to_text(sim: Simulation) -> str:
    call = sim.call
    req = actual_request(call)
    lines = [f"Request: {call.method} {call.url} from {call.origin}"
             f"{' with credentials' if call.credentials else ''} ({'XMLHttpRequest' if call.initiator == 'xhr' else 'fetch'})"]
    if sim.preflight is None:
        lines.append("Preflight: none (a simple request)")
    else:
        pf = preflight_request(call)
        detail = pf.header("access-control-request-method") or ""
        if pf.header("access-control-request-headers"):
            detail += ", " + pf.header("access-control-request-headers")
        lines += _answer_text("Preflight", f"OPTIONS {pf.target} ({detail})", sim.preflight)
    lines += _answer_text("Response", f"{req.method} {req.target}", sim.response)
    verdict = sim.verdict
    for note in verdict.notes:
        lines.append(f"Note: {note}")
    if verdict.allowed is True:
        lines.append("Verdict: allowed: the browser lets the page read the response.")
    elif verdict.allowed is None:
        lines.append(f"Verdict: cannot tell: {verdict.reason}")
    else:
        lines.append(f"Verdict: blocked at the {verdict.stage}.")
        lines.append(console_line(call, verdict) or "")
    return "\n".join(lines) + "\n"
