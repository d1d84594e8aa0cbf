"""User configuration: `[tool.corslint]` in pyproject.toml or `.corslint.toml`.

The run's settings are found by walking up from the current folder (the
nearest file wins); `--config FILE` overrides, and command-line options
override the file.  Without --config, a finding is also judged by the
configuration nearest to its own file (`governing`: a monorepo's
`deploy/.corslint.toml` applies to `deploy/` wherever corslint runs), as
ruff does, for what can differ per file: select, ignore, per-file-ignores.
What a run shares (fail-on, trusted-origins, clients, paths) stays the
run's.
"""

from __future__ import annotations

import fnmatch
import os

from .diagnostics import InputError
from .record import field, record

KNOWN_KEYS = {"select", "ignore", "fail-on", "trusted-origins", "clients", "per-file-ignores", "paths", "docs-url"}
FAIL_LEVELS = ("error", "warning", "info")


@record
class Settings:
    select: list[str] = field(default_factory=lambda: ["CORS"])
    ignore: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    trusted_origins: list[str] = field(default_factory=list)
    clients: list[dict] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    #: deployed path -> repository path (absolute): `paths = {"/etc/nginx" = "deploy/nginx"}`
    paths: dict[str, str] = field(default_factory=dict)
    #: where the rule pages are published (SARIF helpUri, Markdown links); None: ruledocs.rule_url's default
    docs_url: str | None = None
    path: str | None = None
    #: the command line's --select / --ignore (commands/lint.py): a layer above every configuration file
    command_select: list[str] | None = None
    command_ignore: list[str] = field(default_factory=list)
    #: whether nearer configuration files govern their folders (`governing`; not with --config)
    discover: bool = False
    #: per run: folder -> the configuration file nearest to it (or None), configuration file -> its settings
    nearest: dict = field(default_factory=dict)

    def layer(self, select: list[str] | None, ignore: list[str]) -> None:
        """Put the command line's selection above the file's: --select
        starts afresh (the file's `ignore` no longer applies, as in ruff),
        --ignore adds to the file's."""
        self.command_select, self.command_ignore = select, ignore
        if select:
            self.select, self.ignore = list(select), []
        self.ignore = self.ignore + ignore

    def selects(self, code: str, name: str, path: str) -> bool:
        """Whether a finding of rule `code` (slug `name`) in `path` is kept
        by these settings' select, ignore and per-file-ignores."""
        from .engine import matches

        return matches(code, name, self.select) and not matches(code, name, self.ignore) \
            and not matches(code, name, self.ignored_for(path))

    def ignored_for(self, path: str) -> list[str]:
        """Codes ignored for one file by `per-file-ignores` globs."""
        if not self.per_file_ignores:
            return []
        out: list[str] = []
        norm = path.replace(os.sep, "/")
        names = [norm]
        if self.path:   # patterns are relative to the configuration file's folder, wherever corslint runs
            names.append(os.path.relpath(os.path.abspath(path), os.path.dirname(os.path.abspath(self.path)))
                         .replace(os.sep, "/"))
        for pattern, codes in self.per_file_ignores.items():
            if any(fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(os.path.basename(name), pattern) or
                   fnmatch.fnmatch(name, "*/" + pattern) for name in names):
                out.extend(codes)
        return out


def find_config(start: str | None = None, repository: bool = False) -> tuple[str, dict] | None:
    """(path, table) of the nearest configuration, or None; `repository`
    stops the walk at the repository root (the first folder holding `.git`)."""
    folder = os.path.abspath(start or os.getcwd())
    while True:
        for name in (".corslint.toml", "pyproject.toml"):
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                table = _read(candidate)
                if table is not None:
                    return candidate, table
        parent = os.path.dirname(folder)
        if parent == folder or (repository and os.path.lexists(os.path.join(folder, ".git"))):
            return None
        folder = parent


def governing(settings: Settings, path: str) -> Settings:
    """The settings a finding in `path` is judged by: those of the
    configuration file nearest to its folder (up to the repository root),
    under the command line's --select/--ignore; the run's own when no file
    is nearer, or with --config.  Raises InputError for a file that is not
    a valid configuration (each file is read once a run)."""
    if not settings.discover:
        return settings
    folder = os.path.dirname(os.path.abspath(path))
    if folder not in settings.nearest:
        found = find_config(folder, repository=True)
        settings.nearest[folder] = found and found[0]
        if found is not None and found[0] not in settings.nearest and found[0] != settings.path:
            own = settings.nearest[found[0]] = _settings(*found)
            own.layer(settings.command_select, settings.command_ignore)
    config = settings.nearest[folder]
    return settings if config is None or config == settings.path else settings.nearest[config]


def _may_configure_corslint(data: bytes) -> bool:
    """Whether a pyproject.toml can hold a `tool.corslint` table (erring on
    yes): a `[tool.corslint...]` header in any spacing or quoting, a line
    naming corslint under `[tool]`, or a top-level `tool...` line naming it
    (`tool.corslint.select = ...`, an inline table)."""
    if b"corslint" not in data:
        return False
    table = None
    for line in data.splitlines():
        text = line.strip()
        if text.startswith(b"["):
            table = bytes(c for c in text.partition(b"#")[0] if c not in b" \t\"'")
            if table.startswith((b"[tool.corslint", b"[[tool.corslint")):
                return True
        elif b"corslint" in text and (table == b"[tool]" or (table is None and text.startswith(b"tool"))):
            return True
    return False


def _read(path: str) -> dict | None:
    pyproject = os.path.basename(path) == "pyproject.toml"
    from .confine import Refused, read

    try:
        data = read(path)   # a regular file, bounded: never /dev/zero, a FIFO or procfs
    except Refused as exc:
        raise InputError(path, None, str(exc)) from None
    except OSError as exc:
        raise InputError(path, None, f"cannot read: {exc.strerror}") from None
    if pyproject and not _may_configure_corslint(data):
        return None     # most pyproject.toml files: no need to import tomllib (2 ms of every run)
    from .compat import tomllib

    try:
        table = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(path, None, f"invalid TOML: not UTF-8 ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, getattr(exc, "lineno", None), f"invalid TOML: {exc}") from None
    except RecursionError:      # tomllib descends once per level of arrays and inline tables
        raise InputError(path, None, "invalid TOML: arrays or tables nested too deeply") from None
    if not pyproject:
        return table
    tool = table.get("tool")
    return tool.get("corslint") if isinstance(tool, dict) else None


def load(explicit: str | None = None) -> Settings:
    """The run's settings: those of `explicit` (--config: a `.corslint.toml`
    or a `pyproject.toml`, read for its `[tool.corslint]`), else of the file
    nearest to the current folder, nearer files then governing their
    folders (`governing`)."""
    if explicit:
        table = _read(explicit)
        if table is None:
            raise InputError(explicit, None, "no [tool.corslint] table in this pyproject.toml")
        return _settings(explicit, table)
    found = find_config()
    settings = Settings() if found is None else _settings(*found)
    settings.discover = True
    return settings


#: what each `[[clients]]` key holds: (type, what the message calls it)
CLIENT_KEYS = {"origin": (str, "a string"), "methods": (list, "a list of strings"),
               "headers": (list, "a list of strings"), "credentials": (bool, "true or false")}


def _settings(path: str, table) -> Settings:
    """The settings of one configuration table, every value's type checked:
    the file is the checkout's, and a value of the wrong shape must be an
    input error naming the file and the key, never a failure later on."""
    if not isinstance(table, dict):
        raise InputError(path, None, "[tool.corslint] must be a table")
    unknown = set(table) - KNOWN_KEYS
    if unknown:
        raise InputError(path, None, f"unknown corslint setting(s): {', '.join(sorted(unknown))}")
    settings = Settings(path=path)
    if "select" in table:
        settings.select = _strings(path, "select", table["select"], "rule codes")
    if "ignore" in table:
        settings.ignore = _strings(path, "ignore", table["ignore"], "rule codes")
    if "fail-on" in table:
        if not isinstance(table["fail-on"], str) or table["fail-on"] not in FAIL_LEVELS:
            raise InputError(path, None, f"fail-on must be one of {', '.join(FAIL_LEVELS)}")
        settings.fail_on = table["fail-on"]
    if "trusted-origins" in table:
        settings.trusted_origins = _strings(path, "trusted-origins", table["trusted-origins"], "origins")
    clients = table.get("clients", [])
    if not isinstance(clients, list):
        raise InputError(path, None, "clients must be a list of tables ([[clients]] entries)")
    settings.clients = [_client(path, n, client) for n, client in enumerate(clients, start=1)]
    ignores = table.get("per-file-ignores", {})
    if not isinstance(ignores, dict):
        raise InputError(path, None, "per-file-ignores must be a table of glob = [rule codes]")
    for pattern, codes in ignores.items():
        settings.per_file_ignores[pattern] = _strings(path, f"per-file-ignores[{pattern!r}]", codes, "rule codes")
    _check_codes(path, settings)
    paths = table.get("paths", {})
    if not isinstance(paths, dict) or not all(isinstance(v, str) for v in paths.values()):
        raise InputError(path, None, 'paths must be a table of deployed path = repository folder '
                                     '({"/etc/nginx" = "deploy/nginx"})')
    for target, source in paths.items():
        problem = map_problem(target, source)
        if problem:
            raise InputError(path, None, f"paths: {problem}")
        settings.paths[os.path.normpath(target)] = os.path.normpath(
            os.path.join(os.path.dirname(os.path.abspath(path)), source))
    if "docs-url" in table:
        settings.docs_url = _docs_url(path, table["docs-url"])
    return settings


def _docs_url(path: str, value) -> str:
    """`docs-url`: an http(s) URL with nothing in it that would end or
    bend the link code scanning shows (white space, controls, quotes, `<>`)."""
    if not isinstance(value, str) or not value.startswith(("https://", "http://")) or \
            any(c.isspace() or not c.isprintable() or c in "\"'<>\\" for c in value) or len(value) > 2000:
        raise InputError(path, None, "docs-url must be an https:// URL of the folder holding the rule pages "
                                     "(CODE.md)")
    return value


def unknown_code(code: str) -> bool:
    """Whether `code` names no rule: not a code, a prefix of codes, or a slug."""
    from corslint.rules import RULES

    return not any(r.code.upper().startswith(code.strip().upper()) or r.name == code.strip().lower() for r in RULES)


def _check_codes(path: str, settings: Settings) -> None:
    """An input error, at its line, for a code in `select`, `ignore` or
    `per-file-ignores` that names no rule (a typo would silently select or
    ignore nothing, as on the command line: commands/lint.py)."""
    codes = [*settings.select, *settings.ignore, *(c for cs in settings.per_file_ignores.values() for c in cs)]
    for code in codes:
        if unknown_code(code):
            raise InputError(path, _line_of(path, code), f"unknown rule code or slug {code!r} "
                                                         f"(see `corslint rules`)")


def _line_of(path: str, code: str) -> int | None:
    """The first line of a configuration file that quotes `code`."""
    from .confine import read

    try:
        text = read(path).decode("utf-8", errors="replace")
    except OSError:
        return None
    quoted = (f'"{code}"', f"'{code}'")
    return next((n for n, line in enumerate(text.splitlines(), start=1) if any(q in line for q in quoted)), None)


def map_problem(target: str, source: str) -> str | None:
    """What is wrong with the mapping of the deployed path `target` onto
    the repository path `source` as written, or None."""
    if not target or not source or "\0" in target + source:
        return f"{target or '(empty)'} = {source or '(empty)'}: a mapping needs a deployed path and a repository path"
    if not os.path.isabs(target):
        return f"{target}: the deployed path must be absolute (/etc/nginx)"
    if os.path.normpath(target) == os.sep:
        return "/: the whole file system cannot be mapped; map the server's folder (/etc/nginx)"
    return None


def mappings(settings: Settings, given: list[str], root: str | None) -> list:
    """The run's user mappings (mapping.Mapping): `paths` of the
    configuration file, then `--map TARGET=SOURCE` values (sources relative
    to the current folder), a later one for the same target winning.
    Raises ValueError with the message when one is malformed or its source
    lies outside the configuration root (--root, else the current folder)."""
    from .confine import inside
    from .mapping import Mapping

    found = {target: Mapping(target, source, os.path.basename(settings.path or "configuration"))
             for target, source in settings.paths.items()}
    for value in given:
        target, eq, source = value.partition("=")
        problem = "expected TARGET=SOURCE (/etc/nginx=deploy/nginx)" if not eq else map_problem(target, source)
        if problem:
            raise ValueError(f"--map {value}: {problem}")
        found[os.path.normpath(target)] = Mapping(os.path.normpath(target), os.path.abspath(source), "--map")
    top = root or os.curdir
    for m in found.values():
        if not inside(m.source, top):
            raise ValueError(f"{'--map' if m.origin == '--map' else m.origin + ': paths'} {m.target}: the "
                             f"repository path {m.source} is outside the configuration root "
                             f"{os.path.abspath(top)} (nothing outside it is read; --root DIR widens it)")
    return list(found.values())


def _client(path: str, number: int, client) -> dict:
    """One `[[clients]]` entry, checked: an origin string, and methods,
    headers and credentials of their types when given."""
    if not isinstance(client, dict) or "origin" not in client:
        raise InputError(path, None, f"clients entry {number} needs an origin")
    for key, value in client.items():
        kind, what = CLIENT_KEYS.get(key, (None, None))
        if kind is None:
            raise InputError(path, None, f"clients entry {number}: unknown key {key!r} "
                                         f"(known: {', '.join(CLIENT_KEYS)})")
        if not isinstance(value, kind) or (kind is list and not all(isinstance(v, str) for v in value)):
            raise InputError(path, None, f"clients entry {number}: {key} must be {what}")
    return client


def _strings(path: str, key: str, value, what: str) -> list[str]:
    """A list of strings (one string alone counts as a list of one)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(path, None, f"{key} must be a list of {what}")
    return value
