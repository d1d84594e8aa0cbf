"""Apache environment variables set outside the linted files, explored each way.

`Header ... env=CORS` sends its header only when `CORS` is set, and
`<If "reqenv('CORS') == 'true'">` applies only when it holds that value; a
vhost or conf snippet is usually included by a main configuration that
sets it (`SetEnvIf Origin ... CORS`, `SetEnv CORS 1` at server level:
checked on real Apache, they reach every vhost), or takes it from the OS
with `PassEnv`.  A variable some `env=` or `reqenv()` tests that nothing
in the linted files sets (SetEnv, SetEnvIf*, SetEnvIfExpr, RewriteRule
[E=]) or that `PassEnv` brings in is *unknown*.  When it is set matters
(checked on real Apache): a SetEnvIf sets it when the request arrives, a
SetEnv or PassEnv only in the fixups phase, so an answer decided earlier
(a server-level `RewriteRule ... [R=204]`) and every `<If>` never see it.
The model is judged with it set either way and not set
(`ApacheModel.alternatives`, linter/alternatives.py), and a finding that
needs one says which.  Runs only when some condition tests the environment.
"""

from __future__ import annotations

import re

from ..alternatives import MAX_VARIANTS

#: `reqenv('X')`, and the literal an `==`/`!=` compares it with
_REQENV = re.compile(r"""reqenv\(\s*['"]([^'"]+)['"]\s*\)(?:\s*(==|!=)\s*['"]([^'"]*)['"])?""")
#: what httpd and its modules set themselves (mod_ssl, mod_rewrite, mod_unique_id...)
_SET_BY_HTTPD = ("REDIRECT_", "SSL_", "HTTPS", "UNIQUE_ID", "SCRIPT_")


def _contexts(conf, htaccess_files):
    from .model import _all_contexts

    for host in [conf.main, *conf.vhosts]:
        yield from _all_contexts(host.context)
    for _display, context in htaccess_files.values():
        yield from _all_contexts(context)


def outside(conf, htaccess_files) -> dict[str, list]:
    """Variables `Header ... env=` or `reqenv('X')` (in `<If>`, `expr=`)
    test that the files never set (or that `PassEnv` takes from the OS),
    each with the values to judge: ("request", value) set when the request
    arrives, ("fixups", value) set in the fixups phase, False not set; the
    value is what a `reqenv('X') == '...'` compares with (else "1"), None
    (unknown) for a variable only `env=` tests."""
    contexts = list(_contexts(conf, htaccess_files))
    present = [action.condition[1] for ctx in contexts for action in ctx.headers
               if action.condition is not None and action.condition[0] in ("env", "!env")]
    exprs = [section.pattern for ctx in contexts for section in ctx.ifs if section.kind != "else"]
    exprs += [action.condition[1] for ctx in contexts for action in ctx.headers
              if action.condition is not None and action.condition[0] == "expr"]
    compared: dict[str, list[str]] = {}
    for text in exprs:
        for m in _REQENV.finditer(text) if "reqenv" in text else ():
            literals = compared.setdefault(m.group(1), [])
            if m.group(3) and m.group(3) not in literals and len(literals) < MAX_VARIANTS:
                literals.append(m.group(3))
    if not present and not compared:
        return {}
    set_here = set(conf.computed)
    for ctx in contexts:
        set_here.update(name for rule in ctx.setenv for name, _ in rule.assignments)
        set_here.update(item.partition(":")[0] for rule in ctx.rewrite_rules for item in rule.flags.get("E", []))
    out = {}
    for name in dict.fromkeys([*present, *compared]):
        if name in conf.passenv or (name not in set_here and not name.upper().startswith(_SET_BY_HTTPD)):
            values = (compared[name] or ["1"]) if name in compared else [None]
            out[name] = [(when, value) for when in ("request", "fixups") for value in values] + [False]
    return out


def phrase(label: str, value) -> str:
    """`CORS is set to 'true' by a SetEnvIf outside these files`... (linter/alternatives.py: explore)."""
    if value is False:
        return f"{label} is not set outside these files"
    when, set_to = value
    to = "" if set_to is None else f" to {set_to!r}"
    if when == "request":
        return f"{label} is set{to} by a SetEnvIf outside these files"
    return f"{label} is set{to} by a SetEnv or PassEnv outside these files (in the fixups phase)"
