"""Apache environment variables set outside the linted files, explored both ways.

`Header ... env=CORS` sends its header only when `CORS` is set, and a
vhost or conf snippet is usually included by a main configuration that
sets it (`SetEnvIf Origin ... CORS`, `SetEnv CORS 1` at server level, both
checked on real Apache: they reach every vhost's `Header env=`), or takes
it from the OS with `PassEnv`.  A variable some `env=` tests that nothing
in the linted files sets (SetEnv, SetEnvIf*, SetEnvIfExpr, RewriteRule
[E=]) or that `PassEnv` brings in is *unknown*.  When it is set matters
(checked on real Apache): a SetEnvIf sets it when the request arrives, a
SetEnv or PassEnv only in the fixups phase, so an answer decided earlier
(a server-level `RewriteRule ... [R=204]`) never sees it.  The model is
judged with it set either way (to a value it does not know) and not set
(`ApacheModel.alternatives`, linter/alternatives.py), and a finding that
needs one says which.  Runs only when some `Header` has an `env=` condition.
"""

from __future__ import annotations

#: what httpd and its modules set themselves (mod_ssl, mod_rewrite, mod_unique_id...)
_SET_BY_HTTPD = ("REDIRECT_", "SSL_", "HTTPS", "UNIQUE_ID", "SCRIPT_")


def _contexts(conf, htaccess_files):
    from .model import _all_contexts

    for host in [conf.main, *conf.vhosts]:
        yield from _all_contexts(host.context)
    for _display, context in htaccess_files.values():
        yield from _all_contexts(context)


def outside(conf, htaccess_files) -> dict[str, list]:
    """Variables `Header ... env=` tests that the files never set (or that
    `PassEnv` takes from the OS), each with the values to judge: set when
    the request arrives ("request"), set in the fixups phase ("fixups"),
    and not set (False); a set value is one the model does not know."""
    contexts = list(_contexts(conf, htaccess_files))
    tested = [action.condition[1] for ctx in contexts for action in ctx.headers
              if action.condition is not None and action.condition[0] in ("env", "!env")]
    if not tested:
        return {}
    set_here = set(conf.computed)
    for ctx in contexts:
        set_here.update(name for rule in ctx.setenv for name, _ in rule.assignments)
        set_here.update(item.partition(":")[0] for rule in ctx.rewrite_rules for item in rule.flags.get("E", []))
    names = [n for n in dict.fromkeys(tested)
             if n in conf.passenv or (n not in set_here and not n.upper().startswith(_SET_BY_HTTPD))]
    return {name: ["request", "fixups", False] for name in names}


_PHRASES = {"request": "is set by a SetEnvIf outside these files", "fixups": "is set by a SetEnv or PassEnv "
             "outside these files (in the fixups phase)", False: "is not set outside these files"}


def phrase(label: str, value) -> str:
    """`CORS is set by a SetEnvIf outside these files`... (linter/alternatives.py: explore)."""
    return f"{label} {_PHRASES[value]}"
