"""The Apache server model: parsed, lowered, and ready to answer requests."""

from __future__ import annotations

import os
import re

from .. import saferegex
from ..backend import FileOracle, Upstream
from ..configmodel import ConfigModel
from ..cors import ACAO, CORS_PREFIX, ORIGIN
from ..diagnostics import InputError
from ..model import Answer, OriginPattern, RejectedAtStartup, Request, Scope, Source, valid_authority
from ..regexes import example_for
from .conf import ApacheConf, Context, VirtualHost, lower
from .evaluate import Evaluation
from .parse import ApacheParse, read
from .unknowns import outside, phrase

_ORIGIN_IN_EXPR = re.compile(r"(?i)(%\{HTTP:Origin\}|%\{HTTP_ORIGIN\}|req(?:_novary)?\(\s*['\"]Origin['\"]\s*\)"
                             r"|http\(\s*['\"]Origin['\"]\s*\)|%\{req:Origin\}|%\{Origin\}i)")
_ORIGIN_REGEX = re.compile(r"(?i)(?:%\{HTTP:Origin\}|%\{HTTP_ORIGIN\}|req\(\s*'Origin'\s*\)|%\{req:Origin\})\s*"
                           r"(?:=~|!~)\s*(?:m(.)(.*?)\1|/((?:[^/\\]|\\.)*)/)(i?)")


#: how many scopes the main server's sections may add inside virtual hosts:
#: they apply in every <VirtualHost>, so 200 of each in a 12 KB file made
#: 40,000 scopes; past the cap only the first hosts probe them
MAX_INHERITED_SCOPES = 10_000


def _inheriting(conf: ApacheConf) -> int:
    """How many virtual hosts (the first ones) probe the main server's sections."""
    inherited = len(conf.main.context.sections)
    return min(len(conf.vhosts), MAX_INHERITED_SCOPES // inherited) if inherited else len(conf.vhosts)


class ApacheModel(ConfigModel):
    """An Apache configuration (or a lone .htaccess file) with the .htaccess
    files it is told about, answering as httpd does."""

    conf: ApacheConf

    def __init__(self, path: str, conf: ApacheConf, parsed: ApacheParse):
        super().__init__(path, conf, parsed)
        self.htaccess_files: dict[str, tuple[str, Context]] = {}
        inherited, hosts = len(conf.main.context.sections), len(conf.vhosts)
        if _inheriting(conf) < hosts:
            self.parsed.notices = [*self.parsed.notices, InputError(
                path, None, f"the {inherited:,} sections of the main server are probed in the first "
                            f"{_inheriting(conf):,} of the {hosts:,} virtual hosts only (at most "
                            f"{MAX_INHERITED_SCOPES:,} scopes from inherited sections)")]

    def add_htaccess(self, directory: str, path: str, display: str | None = None) -> list:
        """Tell the model about the .htaccess file of `directory` (a
        filesystem path, as a `<Directory>` would name it): Apache reads it
        for every request mapped into that directory or below, where
        AllowOverride lets it.  Returns the file's parse errors."""
        parsed = read(path, display)
        directory = directory.rstrip("/") + "/"
        conf = lower(parsed.directives, parsed.path, htaccess=True, directory=directory)
        self.htaccess_files[directory] = (parsed.path, conf.main.context.sections[0])
        self._scopes = None
        return parsed.errors + conf.errors

    def evaluate(self, request: Request, upstream: Upstream, files: FileOracle, client_addr: str | None) -> Answer:
        return Evaluation(self.conf, request, upstream, files, client_addr, self.htaccess_files, self.assumed).run()

    def facts(self):
        """RejectedAtStartup (CORS502): directives httpd refuses to load."""
        for source, why in self.conf.rejected:
            yield RejectedAtStartup(source, why)

    def hosts(self) -> list[VirtualHost]:
        return self.conf.vhosts or [self.conf.main]

    def scopes(self) -> list[Scope]:
        if self._scopes is None:
            inheriting = _inheriting(self.conf)
            self._scopes = [scope for index, host in enumerate(self.hosts())
                            for scope in self._host_scopes(host, host is self.conf.main or index < inheriting)]
        return self._scopes

    def _host_scopes(self, host: VirtualHost, inherit: bool = True) -> list[Scope]:
        port = (host.ports or self.conf.listen or [80])[0]
        port = port if valid_authority("localhost", port) else 80     # `Listen 99999` in a broken file
        name = next((n for n in host.names if "*" not in n and "?" not in n and valid_authority(n, port)),
                    "localhost")
        base = f"http://{name}" + ("" if port == 80 else f":{port}")
        facts = self._facts(host)
        paths: list[tuple[str, str, Source]] = [("/", "server" if host is self.conf.main else "<VirtualHost>",
                                                 host.source)]
        sections = (self.conf.main.context.sections if inherit else []) + \
            (host.context.sections if host is not self.conf.main else [])
        root = (host.document_root or self.conf.main.document_root or ("/var/www/html", None))[0]
        for section in sections:
            path = self._path_for(section, root, host)
            if path is not None:
                paths.append((path, section.label, section.source))
                if path.endswith("/") and section.kind in ("directory", "htaccess"):
                    paths.extend(self._answered_here(section, path))
            for inner in section.sections:
                if inner.kind in ("files", "filesmatch"):
                    base_path = path if path is not None and path.endswith("/") else "/"
                    name_part = self._file_example(inner)
                    if name_part:
                        paths.append((base_path + name_part, f"{section.label} {inner.label}", inner.source))
        for directory, (_path, ctx) in self.htaccess_files.items():
            if directory.startswith(root.rstrip("/") + "/"):
                paths.extend(self._answered_here(ctx, directory[len(root.rstrip("/")):]))
        for ctx in (self.conf.main.context, host.context):
            for kind, _status, pattern, _target, source in ctx.redirects:
                path = pattern if kind == "prefix" else self._regex_path(pattern)
                if path:
                    paths.append((path, f"Redirect {pattern}", source))
            for rule in ctx.rewrite_rules:   # URLs a server-context rule answers itself
                if {"R", "F", "G"} & set(rule.flags):
                    path = self._regex_path(rule.pattern.lstrip("!")) if not rule.pattern.startswith("!") else None
                    if path:
                        paths.append((path, f"RewriteRule {rule.pattern}", rule.source))
        for regex, pattern, target, source in host.proxies:
            if target is not None:
                path = pattern if not regex else self._regex_path(pattern)
                if path:
                    paths.append((path, f"ProxyPass {pattern}", source))
        out = []
        seen = set()
        for path, label, source in paths:
            if path in seen or not path.startswith("/"):
                continue    # `<Location [/api/>`: no request path starts so, and `host[/api/` is no URL
            seen.add(path)
            proxied = facts["rewrite_proxy"] or any(path.startswith(p) if not r else bool(saferegex.search(p, path))
                                                    for r, p, t, _s in host.proxies if t is not None)
            out.append(Scope(name=f"{host.names[0] if host.names else 'server'} {label}".strip(), url=base + path,
                             source=source, proxied=proxied, static=not proxied,
                             authenticates=facts["authenticates"], served_methods=facts["methods"],
                             origin_patterns=facts["patterns"], literal_origins=facts["literals"],
                             origin_sensitive=facts["sensitive"], emits_cors=facts["cors"],
                             backend_error_page=proxied and facts["error_document"]))
        return out

    def _path_for(self, section: Context, root: str, host: VirtualHost) -> str | None:
        if section.kind == "location":
            return section.pattern if section.pattern.startswith("/") and "*" not in section.pattern else None
        if section.kind == "locationmatch":
            return self._regex_path(section.pattern)
        if section.kind == "directory":
            directory = section.pattern.rstrip("/")
            if directory.startswith(root.rstrip("/")):
                return directory[len(root.rstrip("/")):] + "/"
            for regex, url, target, _source in host.aliases:
                if not regex and directory.startswith(target.rstrip("/")):
                    return url.rstrip("/") + directory[len(target.rstrip("/")):] + "/"
            return None
        if section.kind in ("files", "filesmatch"):
            example = self._file_example(section)
            return "/" + example if example else None
        if section.kind == "htaccess":
            return "/"
        return None

    def _answered_here(self, section: Context, path: str):
        """(path, label, source) for each URL a per-directory RewriteRule
        answers itself ([R] redirect, [F], [G]; the rule matches the path
        with the directory stripped, so its example goes after `path`) or a
        Redirect of the section redirects.
        Probed as scopes of their own, the actual request meets the
        redirect the way a browser does (CORS406)."""
        for rule in section.rewrite_rules:
            if {"R", "F", "G"} & set(rule.flags) and not rule.pattern.startswith("!"):
                example = self._regex_path(rule.pattern, per_dir=True)
                if example is not None:
                    yield path + example.lstrip("/"), f"{section.label} RewriteRule {rule.pattern}", rule.source
        for kind, _status, pattern, _target, source in section.redirects:   # mod_alias: whole URL paths
            url = pattern if kind == "prefix" else self._regex_path(pattern)
            if url and url.startswith(path):
                yield url, f"{section.label} Redirect {pattern}", source

    @staticmethod
    def _file_example(section: Context) -> str | None:
        if section.kind == "files":
            return section.pattern.replace("*", "a").replace("?", "a") or None
        examples = [e for e in example_for(section.pattern) if "/" not in e]
        for example in examples:
            candidate = ("a" + example) if example.startswith(".") else example
            if section.regex and section.regex.search(candidate):
                return candidate
        return None

    @staticmethod
    def _regex_path(pattern: str, per_dir: bool = False) -> str | None:
        """A URL path the pattern matches; `per_dir`: a per-directory
        RewriteRule's, which sees the path without its leading slash."""
        for example in example_for(pattern):
            path = example if example.startswith("/") else "/" + example
            if saferegex.search(pattern, path[1:] if per_dir else path):
                return path
        return None

    def _facts(self, host: VirtualHost) -> dict:
        contexts = list(_all_contexts(self.conf.main.context))
        if host is not self.conf.main:
            contexts += list(_all_contexts(host.context))
        patterns: list[OriginPattern] = []
        literals: list[str] = []
        sensitive = False
        cors = False
        authenticates = False
        rewrite_proxy = False
        error_document = False
        methods: set[str] = set()
        for ctx in contexts:
            error_document = error_document or any(code in ctx.error_documents for code in (502, 503, 504))
            for rule in ctx.setenv:
                if rule.attribute.lower() == ORIGIN:
                    sensitive = True
                    patterns.append(OriginPattern(rule.pattern, rule.ignore_case, rule.source))
                if rule.expr and _ORIGIN_IN_EXPR.search(rule.expr):
                    sensitive = True
                    patterns.extend(_expr_patterns(rule.expr, rule.source))
            for section in ctx.ifs:
                if _ORIGIN_IN_EXPR.search(section.pattern):
                    sensitive = True
                    patterns.extend(_expr_patterns(section.pattern, section.source))
                    literals.extend(re.findall(r"'(https?://[^']+)'", section.pattern))
            for rule in ctx.rewrite_rules:
                rewrite_proxy = rewrite_proxy or "P" in rule.flags
                for test, pattern, flags, source in rule.conditions:
                    if re.search(r"(?i)%\{HTTP:Origin\}|%\{HTTP_ORIGIN\}", test):
                        sensitive = True
                        patterns.append(OriginPattern(pattern.lstrip("!"), "NC" in flags, source))
            for action in ctx.headers:
                name = action.name.lower()
                if name.startswith(CORS_PREFIX):
                    cors = True
                value = action.value or ""
                if _ORIGIN_IN_EXPR.search(value) or (action.condition and _ORIGIN_IN_EXPR.search(action.condition[1])):
                    sensitive = True
                if name == ACAO and "%" not in value and not value.startswith("expr="):
                    literals.append(value)
            for require in ctx.require:
                if require.words and require.words[0].lower() in ("valid-user", "user", "group"):
                    authenticates = True
                if require.except_methods is not None:
                    methods |= set(require.except_methods)
        return {"patterns": tuple(patterns), "literals": tuple(literals), "sensitive": sensitive, "cors": cors,
                "rewrite_proxy": rewrite_proxy, "error_document": error_document,
                "authenticates": authenticates, "methods": tuple(sorted(methods - {"HEAD", "OPTIONS"}))}


def _all_contexts(ctx: Context):
    yield ctx
    for child in ctx.sections + ctx.ifs:
        yield from _all_contexts(child)


def _expr_patterns(expr: str, source: Source) -> list[OriginPattern]:
    out = []
    for m in _ORIGIN_REGEX.finditer(expr):
        body = m.group(2) if m.group(2) is not None else m.group(3)
        out.append(OriginPattern(body, bool(m.group(4)), source))
    return out


def load(path: str, display: str | None = None, root: str | None = None) -> ApacheModel:
    """Parse and lower one root file (errors are kept on `model.parsed.errors`)."""
    parsed = read(path, display, root)
    htaccess = os.path.basename(path).endswith(".htaccess")
    conf = lower(parsed.directives, parsed.path, htaccess=htaccess)
    parsed.errors.extend(conf.errors)
    model = ApacheModel(parsed.path, conf, parsed)
    unknown = outside(conf, model.htaccess_files)
    if unknown:   # environment variables set outside the files: judged set and not set
        from ..alternatives import explore

        explore(model, unknown, str, phrase, None)
    return model
