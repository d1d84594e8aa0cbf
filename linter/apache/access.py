"""mod_authz_core and its providers: Require (with <Limit>/<LimitExcept>,
<RequireAll>/<RequireAny>/<RequireNone>), and the 401/403 that a refusal
answers.  Functions take `ev`, the request's `Evaluation` (evaluate.py).
"""

from __future__ import annotations

from ..model import Handler
from .conf import Require
from .outcome import Done

# mod_authz_core's results
GRANTED, DENIED, NO_USER, NEUTRAL = "granted", "denied", "denied-no-user", "neutral"
USER_PROVIDERS = ("valid-user", "user", "group", "file-owner", "file-group")


def check(ev) -> None:
    """mod_authz_core: the Require lines of the last section that has
    any (AuthMerging Off) decide, evaluated as a tree (an implicit
    <RequireAny> around <RequireAll>/<RequireAny>/<RequireNone>);
    no Require at all grants access."""
    section = None
    for ctx in ev.contexts:
        if ctx.authz is not None:
            section = ctx.authz
    if section is None:
        return
    ev.decisive = []
    result = authz_result(ev, section, parent_all=True)
    if result == GRANTED:
        return
    if result == NO_USER:
        if ev.header("authorization") is not None:
            ev.certain = False   # whether the credentials are valid is unknown
            return
        auth = next((ctx.auth_type for ctx in reversed(ev.contexts) if ctx.auth_type), None)
        realm = next((ctx.auth_name for ctx in reversed(ev.contexts) if ctx.auth_name), None)
        basic = bool(auth and auth[0].lower() == "basic")
        headers = [("www-authenticate", f'Basic realm="{realm or ""}"')] if basic else []
        user_source = next((r.source for r in reversed(ev.decisive) if needs_user(r)), section.source)
        ev.note(f"Require (line {user_source.line}) needs a user: 401", user_source)
        raise Done(401, user_source, Handler.AUTH_BASIC if basic else Handler.AUTH, True, headers)
    denier = ev.decisive[-1] if ev.decisive else None
    cause = (denier.container or denier.source) if denier else section.source
    ev.note(f"Require (line {cause.line}) denies {ev.method}: 403", cause)
    raise Done(403, cause, Handler.DENY, True)


def authz_result(ev, node, parent_all: bool) -> str:
    """One Require line or container, as apply_authz_sections combines
    them.  A node no Require of which is in force for the method (all
    inside <Limit>s for other methods) is neutral, or granted inside a
    <RequireAll> (and at the top)."""
    if not node.applies(ev.method):
        return GRANTED if parent_all else NEUTRAL
    if isinstance(node, Require):
        ev.decisive.append(node)
        return require_result(ev, node.words)
    result = NEUTRAL
    for item in node.items:
        child = authz_result(ev, item, node.op == "all")
        if node.op == "all":
            if child == DENIED:
                result = DENIED
                break
            if child == NO_USER and result != DENIED or result == NEUTRAL:
                result = child
        else:
            if child == GRANTED:
                result = GRANTED
                break
            if child == NO_USER and result == DENIED or result == NEUTRAL:
                result = child
    return _negated(result) if node.negate else result


def needs_user(rule: Require) -> bool:
    """Whether a Require line names a provider that needs an authenticated
    user (the 401 blames the last such line)."""
    words = [w.lower() for w in rule.words]
    words = words[1:] if words[:1] == ["not"] else words
    return bool(words) and words[0] in USER_PROVIDERS


def require_result(ev, words: list[str]) -> str:
    """One `Require [not] provider args...` line."""
    negate = words[0].lower() == "not"
    words = words[1:] if negate else words
    kind = words[0].lower() if words else ""
    args = words[1:]
    if kind in USER_PROVIDERS:
        result = NO_USER
    else:
        held = provider(ev, kind, args)
        if held is None:
            ev.certain = False
            return GRANTED
        result = GRANTED if held else DENIED
    return _negated(result) if negate else result


def provider(ev, kind: str, args: list[str]) -> bool | None:
    """Whether an authz provider that needs no user grants the request."""
    if kind == "all":
        return bool(args) and args[0].lower() == "granted"
    if kind == "method":
        return ev.method in {a.upper() for a in args}
    if kind == "env":
        return any(a in ev.env for a in args)
    if kind == "expr":
        return ev.expression(" ".join(args))
    if kind in ("ip", "local", "host"):
        if ev.client_addr is None:
            return None
        ev.address_decides = True
        local = ev.client_addr == "::1" or ev.client_addr.startswith("127.")   # httpd: 127.0.0.0/8 and ::1
        if kind == "local":
            return local
        if kind == "host":   # the double reverse lookup: only loopback is known to be "localhost"
            return local and any(a.lower() == "localhost" for a in args)
        import ipaddress

        for arg in args:
            try:
                if ipaddress.ip_address(ev.client_addr) in ipaddress.ip_network(arg, strict=False):
                    return True
            except ValueError:
                continue
        return False
    return None


def _negated(result: str) -> str:
    """`Require not ...` / <RequireNone>: granted becomes denied, a denial
    becomes neutral (not being refused grants nothing)."""
    if result == GRANTED:
        return DENIED
    return NEUTRAL if result in (DENIED, NO_USER) else result
