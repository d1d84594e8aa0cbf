"""The configuration root and the limits on what corslint reads.

corslint runs on files it did not write (pre-commit hooks, CI on pull
requests), so what it reads is bounded here, for every format: a file is
read only when it is a regular file of at most MAX_FILE_BYTES; an include
is followed only inside the configuration root (the folder of the file
given, or --root), at most MAX_INCLUDE_DEPTH levels deep, and at most
MAX_INCLUDED_FILES files and MAX_TOTAL_BYTES bytes are read for one root
file.  The format readers (nginx, Apache) resolve their include syntax and
leave the deciding to this module.
"""

from __future__ import annotations

import glob
import os

from .diagnostics import InputError
from .model import Parsed

#: the largest file corslint reads (configuration files are kilobytes; anything
#: this big is a mistake, generated, or hostile)
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_INCLUDE_DEPTH = 32
#: files read for one root file, includes counted each time they are read
#: (an include "diamond" nested deep would otherwise read 2**depth files)
MAX_INCLUDED_FILES = 10_000
#: bytes read for one root file and its includes
MAX_TOTAL_BYTES = 64 * 1024 * 1024


def unreadable(path: str) -> str | None:
    """Why `path` is not read (too large, not a regular file, a symlink
    loop), or None when it may be read."""
    try:
        info = os.stat(path)
    except OSError as exc:
        if os.path.islink(path):
            return f"cannot read: broken symbolic link or symlink loop ({exc.strerror})"
        return f"cannot read: {exc.strerror}"
    import stat

    if stat.S_ISDIR(info.st_mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a FIFO, socket or device): corslint reads only regular files"
    if info.st_size > MAX_FILE_BYTES:
        return (f"file is {info.st_size:,} bytes, larger than the {MAX_FILE_BYTES // (1024 * 1024)} MiB corslint "
                f"reads; it was not linted")
    return None


def inside(path: str, root: str) -> bool:
    """Whether `path` (resolved, symlinks followed) lies in the folder `root`."""
    real = os.path.realpath(path)
    base = os.path.realpath(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def confined_targets(full: str, root: str) -> tuple[list[str], list[str]] | None:
    """(targets inside `root`, targets refused because they lie outside it)
    for an include path or glob, or None when it names no existing file.
    A glob whose fixed part lies outside the root is refused without being
    expanded (`/*/*/*/*/x` would walk the whole file system); at most
    MAX_INCLUDED_FILES matches are taken."""
    import itertools

    if "\0" in full:
        return None     # no file has a NUL byte in its name (the OS calls would raise ValueError)
    full = os.path.normpath(full)
    if not glob.has_magic(full):
        if not inside(full, root):
            return [], [full]    # whether it exists is not told either
        return ([full], []) if os.path.lexists(full) else None
    fixed = full
    while glob.has_magic(fixed):
        fixed = os.path.dirname(fixed)
    if not inside(fixed, root):
        return [], [full]
    try:
        matches = sorted(itertools.islice(glob.iglob(full), MAX_INCLUDED_FILES))
    except (OSError, RecursionError, ValueError):
        return None
    allowed = [m for m in matches if inside(m, root)]
    refused = [m for m in matches if not inside(m, root)]
    return (allowed, refused) if matches else None


class ConfigReading(Parsed):
    """What reading one root file and its includes produced besides the
    directives: the model's `Parsed` (files read, root first; errors;
    notices of includes refused for lying outside the root, after which the
    level they are in holds something unknown, as for a missing include)
    and the tally the limits apply to (files read, includes counted each
    time they are read, and bytes)."""

    def __init__(self, path: str):
        super().__init__(path, notices=[])
        self.reads = 0
        self.bytes_read = 0

    def error(self, error: InputError) -> None:
        """Record an error once (a cycle reached by two paths is one problem)."""
        if all(str(e) != str(error) for e in self.errors):
            self.errors.append(error)

    def refuse(self, d, pattern: str, refused: list[str], root: str) -> None:
        """Record, once, that the include `d` of `pattern` names files outside `root`."""
        what = refused[0] + (f" and {len(refused) - 1} more" if len(refused) > 1 else "")
        notice = InputError(d.path, d.line, f"{d.name} {pattern}: not read: {what} is outside the configuration "
                                            f"root {root} (includes are read only below the folder of the file "
                                            f"given; --root DIR allows more)")
        if all(str(n) != str(notice) for n in self.notices):
            self.notices.append(notice)


def included_files(reading: ConfigReading, d, pattern: str, targets: list[str], stack: list[str], word: str):
    """The targets of the include `d` that are read, in order.  Each is
    yielded with its real path on top of `stack` (the real paths of the
    files being read, root first), popped when the caller comes back.  A
    target that is not a regular file is passed over (a broken link is
    reported); a cycle and an include nested deeper than MAX_INCLUDE_DEPTH
    are reported and passed over; once `reading` has read MAX_INCLUDED_FILES
    files or MAX_TOTAL_BYTES bytes, the remaining targets are not read
    (reported once).  `word` names the directive in messages."""
    for target in targets:
        if not os.path.isfile(target):
            if os.path.islink(target) and not os.path.exists(target):
                reading.error(InputError(d.path, d.line, f"{word} {pattern}: {target} is a broken symbolic link "
                                                         f"or a symlink loop"))
            continue
        real = os.path.realpath(target)
        if real in stack:
            reading.error(InputError(d.path, d.line, f"include cycle: {pattern} includes itself"))
            continue
        if len(stack) >= MAX_INCLUDE_DEPTH:
            reading.error(InputError(d.path, d.line, f"includes nested deeper than {MAX_INCLUDE_DEPTH}"))
            continue
        if reading.reads >= MAX_INCLUDED_FILES or reading.bytes_read >= MAX_TOTAL_BYTES:
            if not any("the remaining includes were not read" in e.message for e in reading.errors):
                # reported once, where the limit was reached
                reading.error(InputError(d.path, d.line, f"{word} {pattern}: more than {MAX_INCLUDED_FILES:,} "
                                                         f"included files or {MAX_TOTAL_BYTES >> 20} MiB read for "
                                                         f"{reading.path}; the remaining includes were not read"))
            return
        stack.append(real)
        try:
            yield target
        finally:
            stack.pop()
