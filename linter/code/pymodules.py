"""The relative imports of a Python settings package, read with `ast`: never imported.

Settings are split across the modules of one package: `from .cors import
CORS_ALLOWED_ORIGINS`, `from .base import *`, django-split-settings'
`include("components/cors.py", ...)`.  A `Package` finds those modules the
way the interpreter would (`from .x` is `x.py` or `x/__init__.py` in the
importing module's folder, one folder up per further dot), reads each
through `confine` (below the root the linted file is read under), at most
MAX_DEPTH imports deep and MAX_MODULES modules for one linted file, with
cycles detected.  The framework reader parses each module it is handed
(`make`) and takes its names.  A module that cannot be found, read or
parsed is a notice at the import's file:line; the names it would bind stay
unknown.
"""

from __future__ import annotations

import glob
import os

from ..diagnostics import InputError

MAX_DEPTH = 8
MAX_MODULES = 64
#: matches one include() glob may take
MAX_GLOB = 64


def module_file(importer_file: str, level: int, dotted: str | None) -> str | None:
    """The file `from <level dots><dotted> import ...` names, or None."""
    folder = os.path.dirname(importer_file)
    for _ in range(level - 1):
        folder = os.path.dirname(folder)
    if not dotted:
        return None
    base = os.path.join(folder, *dotted.split("."))
    for candidate in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(candidate):
            return candidate
    return None


class Package:
    """The modules one linted settings file reaches through relative imports."""

    def __init__(self, root: str, entry_file: str):
        self.root = root
        #: real paths being read (a cycle meets one again)
        self.loading: list[str] = []
        #: real path -> the module made from it (None when it could not be read)
        self.loaded: dict[str, object] = {}
        #: the modules read, as shown (after the linted file)
        self.files: list[str] = []
        #: imports not followed, at the importing file's line
        self.notices: list[InputError] = []
        self.loading.append(os.path.realpath(entry_file))

    def notice(self, importer, line: int, message: str) -> None:
        notice = InputError(importer.path, line, message)
        if str(notice) not in {str(n) for n in self.notices}:
            self.notices.append(notice)

    def include_files(self, importer, pattern: str, line: int) -> list[str]:
        """The files a split-settings `include()` pattern names (relative to the
        including file's folder; a glob's matches sorted, as split_settings does)."""
        from .. import confine

        full = os.path.normpath(os.path.join(os.path.dirname(confine.real_path(importer.file)), pattern))
        if not confine.below(full, self.root):      # never globbed: `/*/*/*` would list the machine
            self.notice(importer, line, f"include({pattern!r}): not followed: it names files outside the "
                                        f"configuration root {self.root}; the settings it would set are unknown")
            return []
        if glob.has_magic(full):
            matches = sorted(glob.glob(full))[:MAX_GLOB]
            if not matches:
                self.notice(importer, line, f"include({pattern!r}): no file matches (split_settings ignores it "
                                            f"only when optional())")
            return matches
        if not os.path.isfile(full):
            self.notice(importer, line, f"include({pattern!r}): not followed: no such file; the settings it "
                                        f"would set are unknown")
            return []
        return [full]

    def load(self, importer, found: str | None, line: int, what: str, make):
        """The module `make(source, shown, file)` gives for the file `found`
        that `importer` imports at `line`, or None (with a notice)."""
        from .. import confine
        from .python import PARSE_FAILURES

        if found is None:
            self.notice(importer, line, f"{what}: not followed: no such module in the package; the names it "
                                        f"binds are unknown")
            return None
        real = confine.real_path(found)
        shown = os.path.normpath(os.path.join(os.path.dirname(importer.path),
                                              os.path.relpath(found, os.path.dirname(importer.file))))
        why = None
        if real in self.loading:
            why = "it imports itself through a cycle"
        elif real in self.loaded:
            return self.loaded[real]
        elif len(self.loading) > MAX_DEPTH:
            why = f"imports nested more than {MAX_DEPTH} deep"
        elif len(self.loaded) >= MAX_MODULES:
            why = f"more than {MAX_MODULES} modules imported"
        if why is not None:
            self.notice(importer, line, f"{what}: not followed: {why}; the names it binds are unknown")
            return None
        try:
            source = confine.read(found, self.root).removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.notice(importer, line, f"{what}: not followed: {shown}: {getattr(exc, 'strerror', None) or exc}; "
                                        f"the names it binds are unknown")
            self.loaded[real] = None
            return None
        self.loading.append(real)
        try:
            self.loaded[real] = make(source, shown, found)
        except PARSE_FAILURES as exc:
            where = getattr(exc, "lineno", None)
            self.notice(importer, line, f"{what}: not followed: {shown}{f':{where}' if where else ''} cannot be "
                                        f"parsed; the names it binds are unknown")
            self.loaded[real] = None
        finally:
            self.loading.pop()
        if self.loaded[real] is not None and shown not in self.files:
            self.files.append(shown)
        return self.loaded[real]
