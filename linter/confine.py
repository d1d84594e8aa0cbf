"""The one confinement every read and write of corslint goes through.

corslint runs on files it did not write (pre-commit hooks, CI on pull
requests): every file of a checkout, its names and its symlinks may be an
attacker's.  So, for every format and every reader:

- a file is read only when it is a regular file, not the kernel's (procfs,
  sysfs: their sizes lie, /proc/self/pagemap reports 0 and reads on), and
  reads stop at MAX_FILE_BYTES + 1 bytes whatever its size says;
- a file found by walking a folder, an include and a lookup beside a file
  (package.json) is read only when its real path lies inside its root (the
  folder walked, the configuration root: --root, else the current folder
  when the file lies in it, else the server's prefix, `includes.py`); a file
  named on the command line is the user's choice and is read wherever it
  lies;
- a path is resolved once per run (`real_path`) and opened through that real
  path without following a link (`O_NOFOLLOW`), and the file opened is
  checked to be the one resolved: a symlink swapped in after the check is
  never followed;
- includes are followed at most MAX_INCLUDE_DEPTH levels deep, and at most
  MAX_INCLUDED_FILES include targets (every glob match counts) and
  MAX_TOTAL_BYTES bytes are taken for one root file;
- a file corslint writes (--output, --fix) is written as a temporary file in
  its folder renamed over it: a link in its place is replaced, never written
  through, and an output named below the current folder that is a link, or
  lies in a linked folder, is refused.

The format readers (nginx, Apache) resolve their include syntax (and
`includes.py` the prefix and the mappings) and leave the deciding to this
module.
"""

from __future__ import annotations

import glob
import os
import stat

from .diagnostics import InputError
from .model import Parsed

#: the largest file corslint reads (configuration files are kilobytes; anything
#: this big is a mistake, generated, or hostile)
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_INCLUDE_DEPTH = 32
#: include targets taken for one root file: every match of every include counts,
#: each time the include is met (an include "diamond" nested deep would otherwise
#: read 2**depth files, and 25 files that each include `*.conf` meet 25 matches a read)
MAX_INCLUDED_FILES = 10_000
#: bytes read for one root file and its includes
MAX_TOTAL_BYTES = 64 * 1024 * 1024
#: the kernel's file systems: never configuration, and their files' sizes lie
KERNEL_FOLDERS = ("/proc", "/sys")

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
#: name endings of Jinja templates: read as an include, one is rendered (`ConfigReading.read`)
_JINJA_ENDINGS = (".j2", ".jinja2", ".jinja")
_READ_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)

#: per run: path as named (absolute) -> its real path, resolved once
_reals: dict[str, str] = {}
#: per run: path as named (absolute) -> the root it was admitted under (a walked file's folder)
_roots: dict[str, str] = {}
#: per run: include glob -> its sorted matches
_globs: dict[str, list[str]] = {}
#: real path of a template -> the text it renders to, read in its place while
#: it is linted (`linter/templates`, `rendered`)
_rendered: dict[str, bytes] = {}


class Refused(OSError):
    """A path corslint does not read or write; `str()` and `strerror` say why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.strerror = reason

    def __str__(self) -> str:
        return self.strerror


def forget_paths() -> None:
    """Forget what the last run resolved (a lint run calls it first)."""
    _reals.clear()
    _roots.clear()
    _globs.clear()


def real_path(path: str) -> str:
    """`path` with every symlink resolved, resolved once per run: later reads
    open what was checked, whatever the link says by then."""
    key = os.path.abspath(path)
    real = _reals.get(key)
    if real is None:
        real = _reals[key] = os.path.realpath(key)
    return real


def below(real: str, root: str) -> bool:
    """Whether the real path `real` is the folder `root` (a real path) or lies in it."""
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def inside(path: str, root: str) -> bool:
    """Whether `path` (resolved, symlinks followed) lies in the folder `root`."""
    return below(real_path(path), real_path(root))


def _kernel(real: str) -> bool:
    return any(below(real, folder) for folder in KERNEL_FOLDERS)


def outside_message(real: str, root: str) -> str:
    return (f"not read: its real path {real} is outside the configuration root {root} (only a file named on the "
            f"command line is read wherever it lies; --root DIR widens the root)")


def checked_path(path: str, root: str | None = None) -> str:
    """The real path `path` is read through, when it may be read: inside
    `root` when one is given, not the kernel's, a regular file.  Raises
    Refused with the reason."""
    real = real_path(path)
    if root is not None and not below(real, real_path(root)):
        raise Refused(outside_message(real, root))
    if _kernel(real):
        raise Refused(f"not read: {real} is the kernel's (procfs or sysfs), not configuration")
    if real in _rendered:
        return real     # a text read in its place: a rendered template, the standard input (`stand_in`)
    try:
        info = os.stat(real)
    except OSError as exc:
        if os.path.islink(path):
            raise Refused(f"cannot read: broken symbolic link or symlink loop ({exc.strerror})") from None
        raise Refused(f"cannot read: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise Refused("is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise Refused("not a regular file (a FIFO, socket or device): corslint reads only regular files")
    return real


def stand_in(path: str, data: bytes) -> None:
    """Read `data` (the standard input, `corslint - --stdin-filename NAME`)
    as the file `path`, whether or not a file of that name exists: it is
    named, classified and its includes resolved as that file would be."""
    rendered(path, data)


def exists(path: str) -> bool:
    """Whether `path` names something to read: a file or link, or a text
    read in its place (`stand_in`)."""
    return os.path.lexists(path) or real_path(path) in _rendered


def rendered(path: str, data: bytes | None) -> None:
    """Read `data` in place of the template `path` (checked as any read)
    until called again with None: each loader reads the rendered text."""
    if data is None:
        _rendered.pop(real_path(path), None)
    else:
        _rendered[real_path(path)] = data


def _too_large(size: int) -> Refused | None:
    if size <= MAX_FILE_BYTES:
        return None
    return Refused(f"file is {size:,} bytes, larger than the {MAX_FILE_BYTES >> 20} MiB corslint reads; it was "
                   f"not linted")


def unreadable(path: str, root: str | None = None) -> str | None:
    """Why `path` is not read (outside `root`, the kernel's, too large, not a
    regular file, a symlink loop), or None when it may be read."""
    try:
        real = checked_path(path, root)
        problem = _too_large(len(_rendered[real]) if real in _rendered else os.stat(real).st_size)
    except OSError as exc:
        return exc.strerror
    return None if problem is None else str(problem)


def admit(path: str, roots: list[str]) -> str | None:
    """Why a file found by walking the folder `roots[0]` is not read (its
    real path leaves every one of `roots`: the folder walked, --root), or None
    when it is: then later reads of it open what was checked here, and lookups
    beside it (package.json) stay in the root it lies in."""
    real = real_path(path)
    for root in roots:
        if below(real, real_path(root)):
            _roots[os.path.abspath(path)] = root
            return None
    return outside_message(real, roots[0])


def lookup_root(path: str) -> str:
    """The folder a lookup beside `path` may climb to: the root it was
    admitted under by a walk, else the current folder when it lies there (the
    checkout), else its own folder."""
    key = os.path.abspath(path)
    if key in _roots:
        return real_path(_roots[key])
    here = real_path(os.curdir)
    real = real_path(path)
    return here if below(real, here) else os.path.dirname(real)


def _opened_elsewhere(fd: int, real: str) -> bool:
    """Whether the open file `fd` is not the file at `real` (a folder on the
    way was swapped for a link between the check and the open)."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}") != real
    except OSError:     # no procfs: the file's identity, checked again
        try:
            now, opened = os.stat(real), os.fstat(fd)
        except OSError:
            return True
        return (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino)


def read(path: str, root: str | None = None, head: int | None = None) -> bytes:
    """The bytes of `path` (its first `head` bytes when given), read as this
    module says: checked (`checked_path`), opened through its real path
    without following a link, checked again on the open file, and never more
    than MAX_FILE_BYTES + 1 bytes read.  Raises Refused or OSError."""
    real = checked_path(path, root)
    if real in _rendered:
        return _rendered[real][:head]
    try:
        fd = os.open(real, _READ_FLAGS)
    except OSError as exc:
        if os.path.islink(real):
            raise Refused("not read: it was replaced by a symbolic link after it was checked") from None
        raise Refused(f"cannot read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or _opened_elsewhere(fd, real):
            raise Refused("not read: it changed after it was checked (a link or a folder on the way was swapped)")
        if head is None and _too_large(info.st_size):
            raise _too_large(info.st_size)
        want = MAX_FILE_BYTES + 1 if head is None else head
        chunks = []
        got = 0
        while got < want:
            chunk = os.read(fd, min(want - got, max(info.st_size + 1, 1 << 16)))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    finally:
        os.close(fd)
    if head is None and got > MAX_FILE_BYTES:
        raise Refused(f"file is larger than the {MAX_FILE_BYTES >> 20} MiB corslint reads; it was not linted")
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def confined_targets(full: str, root: str) -> tuple[list[str], list[str]] | None:
    """(targets inside `root`, targets refused because they lie outside it)
    for an include path or glob, or None when it names no existing file.
    A glob whose fixed part lies outside the root is refused without being
    expanded (`/*/*/*/*/x` would walk the whole file system); at most
    MAX_INCLUDED_FILES matches are taken, listed once per run."""
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
    matches = _globs.get(full)
    if matches is None:
        import itertools

        try:
            matches = sorted(itertools.islice(glob.iglob(full), MAX_INCLUDED_FILES))
        except (OSError, RecursionError, ValueError):
            matches = []
        _globs[full] = matches
    return split(matches, root) if matches else None


def folder_targets(folder: str, root: str) -> tuple[list[str], list[str]]:
    """(files inside `root`, files refused) of an included folder (Apache's
    `Include conf.d`), in name order, listed once per run."""
    key = os.path.join(folder, "")
    names = _globs.get(key)
    if names is None:
        try:
            names = sorted(os.path.join(folder, f) for f in os.listdir(folder))[:MAX_INCLUDED_FILES]
        except OSError:
            names = []
        _globs[key] = names
    return split(names, root)


def split(paths: list[str], root: str) -> tuple[list[str], list[str]]:
    """(the paths whose real path lies in `root`, the others)."""
    base = real_path(root)
    allowed, refused = [], []
    for path in paths:
        (allowed if below(real_path(path), base) else refused).append(path)
    return allowed, refused


class ConfigReading(Parsed):
    """What reading one root file and its includes produced besides the
    directives: the model's `Parsed` (files read, root first; errors;
    notices of includes refused for lying outside the root, after which the
    level they are in holds something unknown, as for a missing include)
    and the tally the limits apply to (include targets taken, each time
    they are met, and bytes)."""

    def __init__(self, path: str):
        super().__init__(path, notices=[], quiet=[], mapped=[])
        self.reads = 1
        self.bytes_read = 0
        self._said: set[str] = set()

    def error(self, error: InputError) -> None:
        """Record an error once (a cycle reached by two paths is one problem)."""
        key = str(error)
        if key not in self._said:
            self._said.add(key)
            self.errors.append(error)

    def refuse(self, d, pattern: str, refused: list[str], root: str) -> None:
        """Record, once, that the include `d` of `pattern` names files outside `root`."""
        what = refused[0] + (f" and {len(refused) - 1} more" if len(refused) > 1 else "")
        self.unread(d, pattern, f"{what} is outside the configuration root {root} (--root DIR widens it; "
                                f"--map maps a deployed path onto the repository)")

    def unread(self, d, pattern: str, reason: str) -> None:
        """Record, once, that the include `d` of `pattern` is not read: a
        notice at its line (the includer is linted all the same), or, for a
        well-known system file that carries no CORS, a name for the run's
        quiet line."""
        from .includes import system_file

        name = system_file(pattern)
        if name is not None:
            self.quiet.append(name)
            return
        notice = InputError(d.path, d.line, f"{d.name} {pattern}: not read: {reason}")
        if str(notice) not in self._said:
            self._said.add(str(notice))
            self.notices.append(notice)

    def used(self, mapping) -> None:
        """Record that an include was read through `mapping` (shown once a
        run); a mapping of a path onto itself (linting /etc/nginx in place) is
        no news."""
        if mapping is not None and mapping not in self.mapped and os.path.normpath(mapping.source) != mapping.target:
            self.mapped.append(mapping)

    def read(self, path: str, display: str, root: str | None) -> bytes | None:
        """The bytes of one file of this reading (an include when `root` is
        given), counted against MAX_TOTAL_BYTES; None, with the error
        recorded, when it is not read."""
        try:
            data = read(path, root)
        except OSError as exc:
            self.errors.append(InputError(display, None, str(exc) if isinstance(exc, Refused)
                                          else f"cannot read: {exc.strerror}"))
            return None
        self.bytes_read += len(data)
        if root is not None and path.lower().endswith(_JINJA_ENDINGS) and \
                any(mark in data for mark in (b"{{", b"{%", b"{#")):
            from .templates.run import rendered_include     # a template a deployment task puts there

            data = rendered_include(path, data)
        return data


def included_files(reading: ConfigReading, d, pattern: str, targets: list[str], stack: list[str], word: str):
    """The targets of the include `d` that are read, in order.  Each is
    yielded with its real path on top of `stack` (the real paths of the
    files being read, root first), popped when the caller comes back.  Every
    target counts against MAX_INCLUDED_FILES, read or not; a target that is
    not a regular file is passed over (a broken link is reported); a cycle
    and an include nested deeper than MAX_INCLUDE_DEPTH are reported and
    passed over; once `reading` has taken MAX_INCLUDED_FILES targets or read
    MAX_TOTAL_BYTES bytes, the remaining targets are not read (reported
    once).  `word` names the directive in messages."""
    for target in targets:
        if reading.reads >= MAX_INCLUDED_FILES or reading.bytes_read >= MAX_TOTAL_BYTES:
            if "the remaining includes were not read" not in reading._said:
                # reported once, where the limit was reached
                reading._said.add("the remaining includes were not read")
                reading.error(InputError(d.path, d.line, f"{word} {pattern}: more than {MAX_INCLUDED_FILES:,} "
                                                         f"included files or {MAX_TOTAL_BYTES >> 20} MiB read for "
                                                         f"{reading.path}; the remaining includes were not read"))
            return
        reading.reads += 1
        real = real_path(target)
        if not os.path.isfile(real):
            if os.path.islink(target) and not os.path.exists(real):
                reading.error(InputError(d.path, d.line, f"{word} {pattern}: {target} is a broken symbolic link "
                                                         f"or a symlink loop"))
            continue
        if real in stack:
            reading.error(InputError(d.path, d.line, f"include cycle: {pattern} includes itself"))
            continue
        if len(stack) >= MAX_INCLUDE_DEPTH:
            reading.error(InputError(d.path, d.line, f"includes nested deeper than {MAX_INCLUDE_DEPTH}"))
            continue
        stack.append(real)
        try:
            yield target
        finally:
            stack.pop()


def output_refusal(path: str) -> str | None:
    """Why corslint does not write the output `path`, or None: named below
    the current folder (the checkout), neither it nor a folder on its way
    there may be a symbolic link (`ln -s ~/.bashrc corslint.sarif` committed
    in a pull request).  Elsewhere the path is the user's own choice."""
    here = os.getcwd()
    full = os.path.abspath(path)
    if not below(full, here) or full == here:
        return None
    current = here
    for part in os.path.relpath(full, here).split(os.sep):
        current = os.path.join(current, part)
        if os.path.islink(current):
            return (f"{os.path.relpath(current)} is a symbolic link: corslint writes no output through a link in "
                    f"the current folder (remove it, or name another file)")
    return None


def write_output(path: str, data: bytes) -> None:
    """Write a report or a diff to `path` (see `output_refusal`): replaced
    (`replace`), keeping the mode of the file it replaces; written to as it
    is when it is a device or FIFO, or a link outside the current folder
    (the user's own: /dev/stdout, /dev/null).  Raises Refused or OSError."""
    problem = output_refusal(path)
    if problem is not None:
        raise Refused(problem)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    if info is not None and (os.path.islink(path) or not stat.S_ISREG(info.st_mode)):
        below_here = below(os.path.abspath(path), os.getcwd())
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | (_NOFOLLOW if below_here else 0))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return
    folder, name = os.path.split(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)     # as ruff: `-o reports/corslint.sarif` makes reports/
    replace(os.path.join(os.path.realpath(folder), name), data,
            mode=None if info is None else stat.S_IMODE(info.st_mode))


def replace(real: str, data: bytes, mode: int | None = None, owner: tuple[int, int] | None = None,
            check=None) -> None:
    """Make `data` the content of the file at the real path `real`: a new
    file in the same folder (opened once, and checked to be the folder
    meant), given `mode` and `owner` (uid, gid) when set, then `check()`
    (which raises to leave the file alone) and a rename over the old name.
    A link swapped in at `real` is replaced, never written through."""
    folder, name = os.path.split(real)
    dfd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if _opened_elsewhere(dfd, folder):
            raise Refused(f"not written: the folder {folder} changed after it was checked")
        tmp = f".{name}.{os.urandom(4).hex()}.corslint"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
                     0o600 if mode is not None else 0o666, dir_fd=dfd)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                if mode is not None:
                    os.fchmod(fh.fileno(), mode)
                made = os.fstat(fh.fileno())
                if owner is not None and owner != (made.st_uid, made.st_gid):
                    try:
                        os.fchown(fh.fileno(), *owner)
                    except OSError:
                        raise Refused(f"not written: it could not keep its owner and group {owner[0]}:{owner[1]}") \
                            from None
                os.fsync(fh.fileno())
            if check is not None:
                check()
            os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=dfd)
            except OSError:
                pass
            raise
    finally:
        os.close(dfd)
