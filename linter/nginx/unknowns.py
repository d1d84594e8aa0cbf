"""nginx variables set outside the linted files, explored both ways.

nginx refuses to start (`unknown "cors" variable`) when a variable is
used that no `set`, `map`, `geo`... defines and that is not a builtin.  So
a snippet that tests `if ($cors = "true")` without defining `$cors` is
included from a file corslint does not see, which sets it: its value is
*unknown*, not empty.  Assuming it empty skipped the whole CORS block (a
preflight 204 without Allow-Origin, any origin reflected with
credentials went unreported); assuming it set would invent findings.

So each such variable tested by an `if` gets the values its conditions
tell apart (the literal of `= "true"`, an example of a `~` regex, `1` for
a bare test, and empty), and the model is judged under each combination
(`NginxModel.alternatives`, judged by linter/alternatives.py): a finding
that needs a value says which ("when $cors is 'true' (set outside these
files)").  A variable the linted files set on some path is empty where no
`set` ran, as in nginx: it is not unknown.  Everything here runs only
when some `if` tests a variable nothing in the files defines.
"""

from __future__ import annotations

import re

from ..alternatives import MAX_VARIANTS
from ..regexes import compile_pcre, example_for
from ..unknown import holds

#: nginx's builtin variables (core and the modules Debian builds), by exact name
_BUILTIN = frozenset("""
    ancient_browser args binary_remote_addr body_bytes_sent bytes_sent connection connection_requests
    connection_time content_length content_type document_root document_uri fastcgi_path_info
    fastcgi_script_name gzip_ratio host hostname http2 http3 https invalid_referer is_args limit_rate
    memcached_key modern_browser msec msie nginx_version pid pipe proxy_add_x_forwarded_for proxy_host
    proxy_port query_string realpath_root remote_addr remote_port remote_user request request_body
    request_body_file request_completion request_filename request_id request_length request_method
    request_time request_uri scheme secure_link secure_link_expires server_addr server_name server_port
    server_protocol slice_range status time_iso8601 time_local uid_got uid_reset uid_set uri
    date_local date_gmt realip_remote_addr realip_remote_port limit_conn_status limit_req_status
    """.split())
#: prefixes of builtin variable families ($http_x, $arg_x, $ssl_client_verify, $upstream_status...)
_BUILTIN_PREFIXES = ("arg_", "cookie_", "http_", "sent_http_", "sent_trailer_", "upstream_", "ssl_", "geoip_",
                     "jwt_", "proxy_protocol_", "tcpinfo_", "quic", "connections_")
#: directives that define the variable named by their argument at this index (value unknown to the model)
DEFINING = {"split_clients": 1, "perl_set": 0, "js_set": 0, "auth_request_set": 0,
            "set_by_lua": 0, "set_by_lua_block": 0, "set_by_lua_file": 0, "geoip2": None}
_NAMED_GROUP = re.compile(r"\(\?P?[<']([A-Za-z_][A-Za-z0-9_]*)[>']")
_PLAIN_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$")


def _known_to_exist(name: str) -> bool:
    """A builtin, or a template's expression (unknown.TOKEN: unknown as it is, never explored)."""
    return name in _BUILTIN or name.startswith(_BUILTIN_PREFIXES) or holds(name)


def _values(args: list[str]) -> list[str]:
    """The values of the tested variable this condition tells apart from empty."""
    if len(args) == 1:
        return ["1"]
    if len(args) != 3:
        return []
    op, right = args[1], args[2]
    if op in ("=", "!="):
        return [] if "$" in right else [right]   # compared with another variable: only empty is known to differ
    if op in ("~", "~*", "!~", "!~*"):
        compiled = compile_pcre(right, "*" in op)
        examples = [e for e in example_for(right) if compiled is not None and compiled.search(e)]
        return examples[:1]
    return []


def _captured_names(conf) -> set[str]:
    """Names a regex's named group defines (`(?<tenant>...)`) anywhere in the files."""
    from .conf import IfOp, RewriteOp
    from .model import _all_ops, _walk

    patterns = [entry.pattern for block in conf.maps.values() for entry in block.regexes]
    for server in conf.servers:
        patterns += [name for name in server.names if name.startswith("~")]
        levels = [server, *_walk(server)]
        patterns += [loc.pattern for loc in levels[1:] if loc.modifier in ("~", "~*")]
        for level in levels:
            for op in _all_ops(level.ops):
                if isinstance(op, IfOp) and len(op.args) == 3:
                    patterns.append(op.args[2])
                elif isinstance(op, RewriteOp):
                    patterns.append(op.pattern)
    return {name for text in patterns if "(?" in text for name in _NAMED_GROUP.findall(text)}


def outside(conf) -> dict[str, list[str]]:
    """Variables `if`s test that nothing in the files defines, each with the
    values worth judging (empty last), in the order the files test them."""
    lefts = {args[0] for args in conf.tested if args}     # a few distinct names, however many `if`s
    candidates = set()
    for left in lefts:
        m = _PLAIN_VAR.match(left)
        name = m.group(1) if m else None
        if name and not (name in conf.declared or name in conf.maps or name in conf.computed or _known_to_exist(name)):
            candidates.add(left)
    if not candidates:
        return {}
    found: dict[str, list[str]] = {}
    for args in conf.tested:
        if args and args[0] in candidates:
            values = found.setdefault(_PLAIN_VAR.match(args[0]).group(1), [])
            if len(values) <= MAX_VARIANTS:   # past that it is left out anyway (alternatives.explore)
                values += [v for v in _values(args) if v and v not in values]
    captured = _captured_names(conf)
    return {name: values + [""] for name, values in found.items() if name not in captured}


def phrase(label: str, value: str) -> str:
    """`$cors is 'true'`, `$cors is empty` (linter/alternatives.py: explore)."""
    return f"{label} is {value!r}" if value else f"{label} is empty"
