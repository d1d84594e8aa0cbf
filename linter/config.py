"""User configuration: `[tool.corslint]` in pyproject.toml or `.corslint.toml`.

Found by walking up from the current folder (the nearest file wins);
`--config FILE` overrides, and command-line options override the file.
"""

from __future__ import annotations

import fnmatch
import os

from .diagnostics import InputError
from .record import field, record

KNOWN_KEYS = {"select", "ignore", "fail-on", "trusted-origins", "clients", "per-file-ignores"}
FAIL_LEVELS = ("error", "warning", "info")


@record
class Settings:
    select: list[str] = field(default_factory=lambda: ["CORS"])
    ignore: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    trusted_origins: list[str] = field(default_factory=list)
    clients: list[dict] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    path: str | None = None

    def ignored_for(self, path: str) -> list[str]:
        """Codes ignored for one file by `per-file-ignores` globs."""
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


def find_config(start: str | None = None) -> tuple[str, dict] | None:
    """(path, table) of the nearest configuration, or None."""
    folder = os.path.abspath(start or os.getcwd())
    while True:
        for name in (".corslint.toml", "pyproject.toml"):
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                table = _read(candidate)
                if table is not None:
                    return candidate, table
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


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
    import tomllib

    try:
        table = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(path, None, f"invalid TOML: not UTF-8 ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, getattr(exc, "lineno", None), f"invalid TOML: {exc}") from None
    return table.get("tool", {}).get("corslint") if pyproject else table


def load(explicit: str | None = None) -> Settings:
    if explicit:
        table = _read(explicit) or {}
        return _settings(explicit, table)
    found = find_config()
    if found is None:
        return Settings()
    return _settings(*found)


def _settings(path: str, table: dict) -> Settings:
    unknown = set(table) - KNOWN_KEYS
    if unknown:
        raise InputError(path, None, f"unknown corslint setting(s): {', '.join(sorted(unknown))}")
    settings = Settings(path=path)
    if "select" in table:
        settings.select = _codes(path, "select", table["select"])
    if "ignore" in table:
        settings.ignore = _codes(path, "ignore", table["ignore"])
    if "fail-on" in table:
        if table["fail-on"] not in FAIL_LEVELS:
            raise InputError(path, None, f"fail-on must be one of {', '.join(FAIL_LEVELS)}")
        settings.fail_on = table["fail-on"]
    if "trusted-origins" in table:
        settings.trusted_origins = [str(o) for o in table["trusted-origins"]]
    for client in table.get("clients", []):
        if not isinstance(client, dict) or "origin" not in client:
            raise InputError(path, None, "each [[clients]] entry needs an origin")
        settings.clients.append(client)
    for pattern, codes in table.get("per-file-ignores", {}).items():
        settings.per_file_ignores[pattern] = _codes(path, f"per-file-ignores[{pattern!r}]", codes)
    return settings


def _codes(path: str, key: str, value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(path, None, f"{key} must be a list of rule codes")
    return value
