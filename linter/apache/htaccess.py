"""core: .htaccess files and AllowOverride.

Each directory's .htaccess is merged right after the <Directory> sections
for that directory, where the AllowOverride in force lets it in.  A
directive the AllowOverride does not admit answers the request with 500.
Functions take `ev`, the request's `Evaluation` (evaluate.py).
"""

from __future__ import annotations

from ..model import Handler
from .conf import Context
from .outcome import Done


def with_htaccess(ev, directories: list[Context], directory: str) -> list[Context]:
    """<Directory> sections, each directory's .htaccess after the sections
    for that directory, where AllowOverride lets it in."""
    if not ev.htaccess_files:
        return directories
    out: list[Context] = []
    override: set[str] = {"none"}
    parts = [p for p in directory.split("/") if p]
    current = "/"
    levels = ["/"] + ["/" + "/".join(parts[:i + 1]) + "/" for i in range(len(parts))]
    for current in levels:
        for section in directories:
            if section.pattern.rstrip("/") + "/" == current or (section.pattern == "/" and current == "/"):
                out.append(section)
                if section.allow_override is not None:
                    override = section.allow_override
        found = ev.htaccess_files.get(current)
        if found is not None and override & {"all", "fileinfo", "authconfig", "limit", "indexes", "options"}:
            check_overrides(ev, found[1], override)
            out.append(found[1])
    for section in directories:
        if section not in out:
            out.append(section)
    return out


def check_overrides(ev, htaccess: Context, override: set[str]) -> None:
    """A directive the directory's AllowOverride does not admit (or one
    an .htaccess may never hold) makes Apache answer every request below
    with 500, carrying only the server's and the vhost's headers."""
    override = {item.split("=", 1)[0] for item in override}   # `Options=Indexes,...`
    for name, source in _all_directive_names(htaccess):
        needed = OVERRIDE_CLASS.get(name)
        if needed is None or needed == "any" or "all" in override and needed != "never" or needed in override:
            continue
        ev.note(f"{name.lstrip('<')} (line {source.line}) is not allowed here by AllowOverride: 500", source)
        ev.contexts = ev.server_contexts()
        raise Done(500, source, Handler.HTACCESS, True)


def _all_directive_names(ctx: Context):
    yield from ctx.directive_names
    for child in ctx.sections + ctx.ifs:
        yield from _all_directive_names(child)


def _override_classes() -> dict[str, str]:
    """Directive -> the AllowOverride class an .htaccess needs for it
    ("any": always allowed, "never": not in .htaccess at all).  Directives
    not listed are assumed allowed."""
    classes = {
        "fileinfo": "header requestheader setenvif setenvifnocase setenvifexpr browsermatch browsermatchnocase "
                    "setenv unsetenv passenv rewriteengine rewriterule rewritecond rewritebase rewriteoptions "
                    "errordocument redirect redirectmatch redirectpermanent redirecttemp addtype addhandler "
                    "addencoding addcharset addlanguage addoutputfilter addoutputfilterbytype defaulttype forcetype "
                    "sethandler removehandler removetype action fileetag setoutputfilter setinputfilter",
        "authconfig": "authtype authname authuserfile authgroupfile authbasicprovider authbasicauthoritative "
                      "authdbmuserfile authdbmgroupfile authmerging require satisfy",
        "indexes": "directoryindex directoryslash fallbackresource indexoptions indexignore addicon adddescription "
                   "headername readmename expiresactive expiresbytype expiresdefault",
        "limit": "allow deny order",
        "options": "options xbithack",
        "any": "<files <filesmatch <limit <limitexcept <if <elseif <else <requireany <requireall <requirenone",
        "never": "<directory <directorymatch <location <locationmatch <virtualhost proxypass proxypassmatch "
                 "proxypassreverse documentroot servername serveralias alias aliasmatch scriptalias allowoverride "
                 "allowoverridelist listen loadmodule rewritemap errorlog customlog",
    }
    return {name: cls for cls, names in classes.items() for name in names.split()}


OVERRIDE_CLASS = _override_classes()
