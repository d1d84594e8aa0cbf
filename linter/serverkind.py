"""Which web server, if any, a configuration file's text is written for.

A `.conf` file, an extension-less file named on the command line and a
file in `sites-*/`, `conf.d/` or `snippets/` have no telling name: nginx,
Apache httpd, supervisord, redis, php-fpm, systemd, logrotate, fail2ban,
rsyslog and postgresql all keep their configuration in such files.  Their
first lines tell them apart by shape, the way a reader does:

* nginx: statements end with `;` or open a block with `{`, and start with
  an nginx directive name (crossplane's table, plus third-party modules'
  such as headers-more's `more_set_headers`);
* Apache: `<Section ...>` tags and directive names in their canonical case
  (`Header`, `RewriteRule`), never ending with `;`;
* neither: INI `[section]` and `key = value` lines (supervisord, php-fpm,
  systemd, fail2ban, postgresql), redis' and logrotate's `key value` lines
  and `path {` blocks without `;`, rsyslog's `$Directive`/`module(...)`.

Each meaningful line of the file's head scores for one of the three (a few
score for none: a lone `}`, the quoted continuation of an nginx
`log_format`); a web server wins when one of its lines is unmistakably its
own (a directive of its table with its shape, an Apache section tag or a
directive name no other format uses) and its lines are at least as many as
the others'.  `judge` only counts: it reads no file and is bounded by the
head it is given (`files` hands it the first few kilobytes).

crossplane's directive table is imported only when a line has nginx's
shape (a `;` or `{`, a snake_case first word): an Apache, INI or redis file
never pays for it, and a file whose name says nginx (`nginx.conf`) never
comes here.
"""

from __future__ import annotations

import re

#: the verdicts that are no kind: the file is another program's configuration,
#: or holds no configuration at all (empty, or comments only)
NOT_WEB = "not a web server configuration"
EMPTY = "no configuration (empty or comments only)"

#: nginx directives of third-party modules that crossplane's table lacks
_NGINX_EXTRA = frozenset({
    "more_set_headers", "more_clear_headers", "more_set_input_headers", "more_clear_input_headers",
    "access_by_lua", "access_by_lua_block", "access_by_lua_file", "content_by_lua", "content_by_lua_block",
    "content_by_lua_file", "header_filter_by_lua", "header_filter_by_lua_block", "header_filter_by_lua_file",
    "rewrite_by_lua", "rewrite_by_lua_block", "rewrite_by_lua_file", "set_by_lua", "set_by_lua_block",
    "init_by_lua_block", "lua_package_path", "lua_shared_dict", "load_module", "headers_more",
    "passenger_enabled", "passenger_root", "passenger_ruby", "pagespeed", "brotli", "brotli_types",
    "brotli_comp_level", "brotli_static", "vhost_traffic_status_zone", "js_import", "js_content", "js_set",
    "modsecurity", "modsecurity_rules_file", "ssl_ct", "geoip2", "echo", "set_real_ip_from", "real_ip_header",
})

#: Apache section tags (lower-cased: httpd reads them in any case)
_APACHE_SECTIONS = frozenset({
    "virtualhost", "directory", "directorymatch", "files", "filesmatch", "location", "locationmatch", "ifmodule",
    "ifdefine", "ifversion", "if", "elseif", "else", "ifdirective", "iffile", "ifsection", "proxy", "proxymatch",
    "limit", "limitexcept", "macro", "requireall", "requireany", "requirenone", "authnprovideralias",
    "authzprovideralias", "mdomainset", "mdomain",
})

#: Apache directives other formats share (sshd_config has `Include` and
#: `LogLevel`, many daemons `User`/`Group`/`Timeout`): they count for Apache
#: but never make a file Apache's on their own
_APACHE_SHARED = frozenset({"Include", "IncludeOptional", "LogLevel", "User", "Group", "Timeout", "PidFile",
                            "Listen", "KeepAlive", "ServerName", "Port"})

#: Apache directives of core and the common modules, in their canonical case
_APACHE_DIRECTIVES = frozenset("""
AcceptFilter AcceptPathInfo AccessFileName Action AddCharset AddDefaultCharset AddDescription AddEncoding
AddHandler AddIcon AddIconByEncoding AddIconByType AddInputFilter AddLanguage AddOutputFilter
AddOutputFilterByType AddType Alias AliasMatch Allow AllowEncodedSlashes AllowMethods AllowOverride
AllowOverrideList AuthBasicProvider AuthDigestProvider AuthGroupFile AuthName AuthType AuthUserFile
BrowserMatch BrowserMatchNoCase CacheDefaultExpire CacheDirLength CacheDirLevels CacheDisable CacheEnable
CacheIgnoreHeaders CacheMaxExpire CacheRoot CustomLog DAVLockDB Dav DefaultIcon DefaultLanguage DefaultRuntimeDir
DefaultType Define DeflateCompressionLevel Deny DirectoryIndex DirectorySlash DocumentRoot EnableMMAP EnableSendfile
Error ErrorDocument ErrorLog ErrorLogFormat ExpiresActive ExpiresByType ExpiresDefault ExtendedStatus FallbackResource
FileETag FilterChain FilterDeclare FilterProvider ForceLanguagePriority ForceType H2Direct H2Push Header HeaderName
HostnameLookups IndexIgnore IndexOptions IndexOrderDefault IndexStyleSheet KeepAliveTimeout LanguagePriority
LimitRequestBody LimitRequestFields LimitRequestLine LoadFile LoadModule LogFormat MIMEMagicFile MaxClients
MaxConnectionsPerChild MaxKeepAliveRequests MaxRequestWorkers MaxSpareServers MaxSpareThreads MinSpareServers
MinSpareThreads Mutex NameVirtualHost Options Order PassEnv Protocols ProxyErrorOverride ProxyFtpDirCharset
ProxyHTMLEnable ProxyHTMLEvents ProxyHTMLLinks ProxyPass ProxyPassMatch ProxyPassReverse ProxyPassReverseCookieDomain
ProxyPassReverseCookiePath ProxyPreserveHost ProxyRequests ProxySet ProxyStatus ProxyTimeout ProxyVia ReadmeName
Redirect RedirectMatch RedirectPermanent RedirectTemp RemoveHandler RemoveType RequestHeader RequestReadTimeout
Require RewriteBase RewriteCond RewriteEngine RewriteMap RewriteOptions RewriteRule SSLCACertificateFile
SSLCertificateChainFile SSLCertificateFile SSLCertificateKeyFile SSLCipherSuite SSLEngine SSLHonorCipherOrder
SSLOptions SSLPassPhraseDialog SSLProtocol SSLProxyEngine SSLRandomSeed SSLSessionCache SSLSessionCacheTimeout
SSLSessionTickets SSLStaplingCache SSLUseStapling Satisfy ScriptAlias ScriptAliasMatch ScriptSock ServerAdmin
ServerAlias ServerLimit ServerPath ServerRoot ServerSignature ServerTokens SetEnv SetEnvIf SetEnvIfExpr
SetEnvIfNoCase SetHandler SetInputFilter SetOutputFilter StartServers ThreadLimit ThreadsPerChild TraceEnable
TypesConfig UnDefine UnsetEnv UseCanonicalName UserDir VirtualDocumentRoot WSGIDaemonProcess WSGIProcessGroup
WSGIScriptAlias XSendFile
""".split()) | _APACHE_SHARED

#: line starts of template tags (Go/Helm/Jinja, ERB, Terraform)
_TEMPLATE = (b"{{", b"{%", b"{#", b"<%", b"%{")
_COMMENT = re.compile(rb"\s#")
_TAG = re.compile(rb"</?([A-Za-z0-9]+)")
_INI = re.compile(rb"\[[^\]]*\]$|[\w.\-:\[\]]+\s*=")
_CAMEL = re.compile(rb"[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$")
_WORD = re.compile(rb"[^\s;{}(\"']*")
_SNAKE = re.compile(rb"[a-z]+(_[a-z0-9]+)+$")
#: nginx statements: text up to a `;`, `{` or `}` (several may share a line), and the rest of a line
_STATEMENT = re.compile(rb"[^;{}]*[;{}]|[^;{}]+")

#: what a line (or one of an nginx line's statements) counts for
NGINX_OWN, NGINX, APACHE_OWN, APACHE, OTHER, NOTHING = range(6)

_nginx_names: frozenset | None = None


def _nginx_directives() -> frozenset:
    """crossplane's directive table with the third-party additions, built at
    first need (crossplane is imported by any nginx lint anyway)."""
    global _nginx_names
    if _nginx_names is None:
        from crossplane.analyzer import DIRECTIVES

        _nginx_names = frozenset(DIRECTIVES) | _NGINX_EXTRA
    return _nginx_names


def judge(head: bytes, complete: bool, prefer: str = "nginx") -> str | None:
    """"nginx", "apache", NOT_WEB or EMPTY for a file whose first bytes are
    `head` (`complete`: the whole file); None when the head holds no
    statement but the file goes on (the caller decides by name).  `prefer`
    breaks a tie between the two servers."""
    counts = [0] * 6
    meaningful = False
    for raw in head.splitlines():
        line = raw.strip()
        if not line or line.startswith((b"#", b";")):
            continue
        meaningful = True
        cut = _COMMENT.search(line)
        for score in _line_scores(line[:cut.start()].rstrip() if cut is not None else line):
            counts[score] += 1
    if not meaningful:
        return EMPTY if complete else None
    scores = {"nginx": counts[NGINX_OWN] + counts[NGINX] if counts[NGINX_OWN] else 0,
              "apache": counts[APACHE_OWN] + counts[APACHE] if counts[APACHE_OWN] else 0}
    best = max(scores, key=lambda kind: (scores[kind], kind == prefer))
    if scores[best] == 0 or scores[best] < counts[OTHER]:
        return NOT_WEB
    return best


def _line_scores(line: bytes) -> list[int]:
    """What one comment-free line counts for: one score, or one per nginx
    statement on it."""
    if line.startswith(_TEMPLATE):
        return [NOTHING]        # a template's tag: the lines around it tell
    tag = _TAG.match(line)
    if tag is not None and line.endswith(b">"):
        return [APACHE_OWN if tag.group(1).decode("ascii").lower() in _APACHE_SECTIONS else OTHER]
    if _INI.match(line):
        return [OTHER]
    first = _WORD.match(line).group()
    if not line.endswith((b";", b"{")):
        name = first.decode("latin-1")
        if name in _APACHE_DIRECTIVES:
            return [APACHE if name in _APACHE_SHARED else APACHE_OWN]
        if _CAMEL.match(first):
            return [APACHE]     # a directive of a module the table does not name
    return [_statement_score(m.group().strip()) for m in _STATEMENT.finditer(line)]


def _statement_score(statement: bytes) -> int:
    """What one nginx-shaped statement (or a line without one) counts for."""
    first = _WORD.match(statement).group()
    if statement.endswith((b";", b"{")):
        name = first.decode("latin-1")
        if name in _nginx_directives() and (name != "if" or statement[2:].lstrip().startswith(b"(")):
            return NGINX_OWN
        # an entry of a map, geo or types block, the end of a long statement;
        # logrotate's `/var/log/x.log {`
        return NGINX if statement.endswith(b";") else OTHER
    if _SNAKE.match(first):     # the start of a long nginx statement (`log_format main '...'`)
        return NGINX_OWN if first.decode("latin-1") in _nginx_directives() else NOTHING
    if statement.endswith(b"}") or not statement or statement.startswith((b"'", b'"')):
        return NOTHING          # a block's end, the continuation of a long nginx statement
    return OTHER
