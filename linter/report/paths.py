"""Where the review formats (SARIF, `--format github`, JSON, Markdown) say a file is.

Code scanning and Actions annotations read a relative path from the
repository's root, wherever the step ran (`working-directory: deploy`), and
code scanning shows a result only at a file's resolved path.  So these
formats give every path relative to the *base*: `--base DIR`, else the git
top level of the working directory, else (outside any repository) the
working directory; and at the file's real path, so a finding read through
`sites-enabled/api -> ../sites-available/api` is at `sites-available/api`,
once.  Text output keeps the paths as the user typed them: it is read by
the person who typed them.

The top level is found without running git: the nearest folder, from the
working directory up, holding `.git` (a folder, or a file starting
`gitdir:` as in a worktree or a submodule).  A checkout cannot plant one:
git refuses to check out a path named `.git`.  The climb ends at `/`, so
it takes at most as many steps as the path has folders.

A real path is shown only when it lies in the base: a link that leads out
of it is shown where the link is, so no report names what lies outside the
checkout (confine.py resolves each path once per run; the same resolution
is used here).
"""

from __future__ import annotations

import os

from ..confine import below, real_path


def repository_root(start: str) -> str | None:
    """The git top level of the folder `start`, or None outside any repository."""
    from ..confine import read

    folder = os.path.abspath(start)
    while True:
        marker = os.path.join(folder, ".git")
        if os.path.isdir(marker):
            return folder
        if os.path.isfile(marker):
            try:
                if read(marker, head=7) == b"gitdir:":     # a regular file, read bounded (confine)
                    return folder
            except OSError:
                pass
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


class Base:
    """The folder report paths are relative to (a real path)."""

    def __init__(self, folder: str):
        self.folder = os.path.realpath(folder)

    @classmethod
    def find(cls, given: str | None = None) -> Base:
        """`--base DIR` when given, else the repository's top level, else the working directory."""
        here = os.getcwd()
        return cls(given or repository_root(here) or here)

    def real(self, path: str) -> str:
        """The absolute path a report gives for `path`: its real path when
        that lies in the base, else the path as named."""
        full = os.path.abspath(path)
        real = real_path(full)
        return real if below(real, self.folder) else full

    def relative(self, path: str) -> str | None:
        """`path` (resolved as `real` says) relative to the base,
        `/`-separated, or None when it lies outside the base."""
        if not path:
            return None
        shown = self.real(path)
        if shown == self.folder or not below(shown, self.folder):
            return None
        return os.path.relpath(shown, self.folder).replace(os.sep, "/")

    def shown(self, path: str) -> str:
        """`path` relative to the base, or as given when it lies outside."""
        return self.relative(path) or path

    def unique(self, findings: list) -> list:
        """The findings, one per real file, line and rule (the first of
        each): a file read under two names (a link and its target) is
        reported once, at its real path."""
        out, seen = [], set()
        for f in findings:
            key = (self.real(f.path), f.line, f.code)
            if key not in seen:
                seen.add(key)
                out.append(f)
        return out
