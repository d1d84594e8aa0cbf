"""What lies behind a server configuration: the proxied backend and the disk.

A configuration alone does not say what a proxied backend answers or which
files a static handler finds.  Every server model (nginx, Apache) asks the
same two questions of what it is given: an `Upstream` (the backend's status
and headers, unknown unless described) and a `FileOracle` (whether a path
is a file, a directory or missing).  `UNKNOWN_UPSTREAM` and `DEFAULT_FILES`
are what a model assumes when it is told nothing.
"""

from __future__ import annotations

import os


class Upstream:
    """What a proxied backend answers: status None and headers None mean
    unknown.  `reachable=False`: the backend refuses the connection (down,
    a closed port), so the server answers on its own (nginx 502) and its
    error pages apply."""

    def __init__(self, status: int | None = None, headers: list[tuple[str, str]] | None = None,
                 reachable: bool = True):
        self.status = status
        self.headers = headers
        self.reachable = reachable


UNKNOWN_UPSTREAM = Upstream()
#: a backend that is down: what users meet after the happy path
UNREACHABLE_UPSTREAM = Upstream(reachable=False)


class FileOracle:
    """Whether a static path exists on the server.

    By default a name with an extension is assumed to be a file, a name
    ending in `/` a directory with an index file, anything else missing
    (SPA and PHP fallbacks then take over, as they do in production).  With
    `on_disk=True` the configured root is looked up on this machine.

    `root` and `path` are concatenated as nginx does (`alias /srv/a` +
    `b.txt` is `/srv/ab.txt`); a relative root is relative to the server's
    prefix, which the configuration does not name, so it is never looked up.
    """

    def __init__(self, on_disk: bool = False):
        self.on_disk = on_disk

    def _full(self, root: str | None, path: str) -> str | None:
        if self.on_disk and root and os.path.isabs(root):
            return root + path
        return None

    def kind(self, root: str | None, path: str) -> str | None:
        """'file', 'dir' or None (missing)."""
        full = self._full(root, path)
        if full is not None:
            if os.path.isdir(full):
                return "dir"
            if os.path.isfile(full):
                return "file"
            return None
        if path.endswith("/"):
            return "dir"
        last = path.rsplit("/", 1)[-1]
        return "file" if "." in last.strip(".") else None

    def size(self, root: str | None, path: str) -> int | None:
        """The file's size in bytes, None when not known."""
        full = self._full(root, path)
        if full is not None and os.path.isfile(full):
            return os.path.getsize(full)
        return None


#: the oracle a model uses when not told to look at the disk
DEFAULT_FILES = FileOracle()
