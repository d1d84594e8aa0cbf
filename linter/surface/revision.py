"""The CORS surface at a git revision (`corslint surface --diff REV`).

The files at REV are read from git's objects (`git ls-tree`, `git cat-file
--batch`) into a private temporary folder, surveyed there, and the folder
removed: nothing is checked out over the working tree, and no index, hook,
filter (`smudge`, which a checkout or `git archive` would run) or
attribute of the checkout is involved.  The checkout is hostile, and so is
every tree in its history:

- a path is written only when each of its parts is a plain name (no `..`,
  no `.git`, nothing absolute); regular files are created new
  (`O_EXCL | O_NOFOLLOW`) before any link exists, so no write follows a
  link;
- a symbolic link is kept as a link (an nginx `sites-enabled/` entry is
  one) only when it resolves inside the folder; links resolving elsewhere
  are left out, as the working tree's walk refuses them;
- the bytes read are bounded (confine.py): a file over
  `MAX_FILE_BYTES` is written as a sparse stand-in of its size, which the
  survey then refuses as the working tree's would be; files below the
  given paths come first, the others (what an `include` may reach) while
  `MAX_TOTAL_BYTES` allows.

The folder is made to look like a repository's top level (an empty `.git`
folder), so the survey's configuration discovery and report paths stop
there: paths in the document are relative to the repository's top level,
as in the working tree's.
"""

from __future__ import annotations

import os

from ..args import UsageError
from ..confine import MAX_FILE_BYTES, MAX_TOTAL_BYTES, below
from ..display import text
from ..files import GIT_MAX_BYTES, run_git

_PROG = "corslint surface"
#: the most entries (files, links) of a tree extracted
MAX_ENTRIES = 200_000
#: the longest link target kept (Linux's PATH_MAX)
_MAX_LINK_BYTES = 4096


class _Entry:
    __slots__ = ("mode", "object", "size", "path", "given")

    def __init__(self, mode: str, obj: str, size: int, path: str, given: bool):
        self.mode, self.object, self.size, self.path, self.given = mode, obj, size, path, given


def document_at(rev: str, paths: list[str], compute) -> dict:
    """The surface document at revision `rev` of the repository holding the
    working directory: `compute(paths_there, folder)` on the files of
    `paths` (relative to the working directory, as given for the working
    tree) as they are at `rev`.  A path that did not exist at `rev` (or
    any path at `HEAD` before the first commit) adds nothing.  Raises
    UsageError outside a repository, for an unknown revision or a path
    outside the repository."""
    import shutil
    import tempfile

    top = _top_level()
    commit = _commit(top, rev)
    wanted = [_in_repository(path, top) for path in paths]
    if commit is None:
        return _empty()
    entries = _tree(top, commit, wanted)
    folder = tempfile.mkdtemp(prefix="corslint-rev-")
    try:
        os.mkdir(os.path.join(folder, ".git"))     # the top level, for discovery and report paths
        _extract(top, entries, folder)
        present = [os.path.join(folder, *rel.split("/")) if rel else folder for rel in wanted
                   if any(_under(e.path, [rel]) for e in entries)]
        return compute(present, folder) if present else _empty()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _empty() -> dict:
    """The surface of no file (every path given is new since the revision)."""
    from .. import __version__

    return {"version": 1, "tool": {"name": "corslint", "version": __version__}, "origins_probed": [],
            "servers": [], "errors": []}


def _top_level() -> str:
    out = run_git(".", "rev-parse", "--show-toplevel", max_bytes=1 << 16)
    if not out or not out.strip():
        raise UsageError(f"{_PROG}: --diff needs a git repository: none holds {os.getcwd()} (or git refused it, "
                         f"see `git status`)")
    return os.path.realpath(os.fsdecode(out.rstrip(b"\n")))


def _commit(top: str, rev: str) -> str | None:
    """The commit `rev` names (its object id); None for `HEAD` before the
    first commit (the pre-commit hook's `--diff HEAD` in a new repository:
    nothing was there before)."""
    if not rev or rev.startswith("-") or any(c in rev for c in "\0\n\r"):
        raise UsageError(f"{_PROG}: --diff {text(rev)}: not a revision")
    out = run_git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", max_bytes=1 << 10)
    if out and out.strip():
        return out.decode("ascii", "replace").strip()
    if rev == "HEAD" and run_git(top, "rev-parse", "--verify", "--quiet", "HEAD", max_bytes=1 << 10) is None \
            and run_git(top, "symbolic-ref", "-q", "HEAD", max_bytes=1 << 10) is not None:
        return None
    raise UsageError(f"{_PROG}: --diff {text(rev)}: no such revision in {text(top)}")


def _in_repository(path: str, top: str) -> str:
    """`path` (relative to the working directory) relative to the top
    level, `/`-separated; "" for the top level itself.  The path's own
    last part is not resolved: a link is looked up as the link it is."""
    full = os.path.abspath(path)
    full = os.path.join(os.path.realpath(os.path.dirname(full)), os.path.basename(full))
    if full == top or os.path.realpath(full) == top:
        return ""
    rel = os.path.relpath(full, top)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
        raise UsageError(f"{_PROG}: --diff: {text(path)} is outside the repository {text(top)}")
    return rel.replace(os.sep, "/")


def _under(path: str, wanted: list[str]) -> bool:
    return any(not rel or path == rel or path.startswith(rel + "/") for rel in wanted)


def _tree(top: str, commit: str, wanted: list[str]) -> list[_Entry]:
    """The files and links of the commit's tree that may be extracted
    (plain names only; submodules left out), below the given paths first."""
    out = run_git(top, "ls-tree", "-r", "-l", "-z", "--full-tree", commit)
    if out is None:
        raise UsageError(f"{_PROG}: --diff: git could not list the files of {commit} (more than "
                         f"{GIT_MAX_BYTES >> 20} MB of names, or too slow)")
    entries = []
    for record in out.split(b"\0"):
        meta, tab, name = record.partition(b"\t")
        fields = meta.split()
        if not tab or len(fields) != 4 or fields[1] != b"blob":
            continue                    # a submodule (commit), or nothing
        path = os.fsdecode(name)
        if not _plain(path) or not fields[3].isdigit():
            continue
        entries.append(_Entry(fields[0].decode(), fields[2].decode(), int(fields[3]), path, _under(path, wanted)))
    entries.sort(key=lambda e: (not e.given, e.path))
    return entries[:MAX_ENTRIES]


def _plain(path: str) -> bool:
    """Whether every part of a tree path is a plain name."""
    parts = path.split("/")
    return not any(part in ("", ".", "..") or part.lower() == ".git" or "\\" in part for part in parts)


def _extract(top: str, entries: list[_Entry], folder: str) -> None:
    """Write the entries into `folder`: the contents within the budget
    (over `MAX_FILE_BYTES`: a sparse stand-in), then the links."""
    budget = MAX_TOTAL_BYTES
    contents, stand_ins, links = [], [], []
    for e in entries:
        link = e.mode == "120000"
        if link and e.size > _MAX_LINK_BYTES:
            continue
        if not link and e.size > MAX_FILE_BYTES:
            stand_ins.append(e)
        elif e.size <= budget:
            budget -= e.size
            (links if link else contents).append(e)
        elif e.given:
            raise UsageError(f"{_PROG}: --diff: the files at the revision pass {MAX_TOTAL_BYTES >> 20} MB")
    blobs = _blobs(top, contents + links)
    for e in contents:
        _write(folder, e.path, blobs.get(e.object, b""))
    for e in stand_ins:
        if e.given:
            _write(folder, e.path, b"", size=e.size)
    for e in links:
        _link(folder, e.path, blobs.get(e.object, b""))
    _drop_escaping_links(folder, [e.path for e in links])


def _blobs(top: str, entries: list[_Entry]) -> dict[str, bytes]:
    """The contents of the entries' blobs (`git cat-file --batch`: each
    one's header line, its bytes and a line break)."""
    sizes = {e.object: e.size for e in entries}
    if not sizes:
        return {}
    out = run_git(top, "cat-file", "--batch", stdin="".join(o + "\n" for o in sorted(sizes)).encode(),
                  max_bytes=sum(sizes.values()) + 128 * len(sizes))
    if out is None:
        raise UsageError(f"{_PROG}: --diff: git could not read the files at the revision")
    blobs, at = {}, 0
    while at < len(out):
        end = out.index(b"\n", at)
        header = out[at:end].split()
        if len(header) != 3 or header[1] != b"blob":
            break
        size = int(header[2])
        blobs[header[0].decode()] = out[end + 1:end + 1 + size]
        at = end + 1 + size + 1
    return blobs


def _write(folder: str, path: str, data: bytes, size: int | None = None) -> None:
    """A new regular file (never through a link: none exists yet, and
    O_NOFOLLOW | O_EXCL refuse one); `size`: a sparse file of that size."""
    full = os.path.join(folder, *path.split("/"))
    try:
        os.makedirs(os.path.dirname(full), mode=0o700, exist_ok=True)
        fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError:
        return                          # a name twice in a crafted tree, or a file where a folder is
    with os.fdopen(fd, "wb") as out:
        if size is None:
            out.write(data)
        else:
            out.truncate(size)


def _link(folder: str, path: str, target: bytes) -> None:
    """A symbolic link to a relative `target`, made in a folder that
    resolves inside `folder` (no link is made through one leading out);
    where the link itself leads is checked once all exist."""
    name = os.fsdecode(target)
    full = os.path.join(folder, *path.split("/"))
    if not name or os.path.isabs(name) or "\0" in name or not below(os.path.realpath(os.path.dirname(full)),
                                                                      os.path.realpath(folder)):
        return
    try:
        os.makedirs(os.path.dirname(full), mode=0o700, exist_ok=True)
        os.symlink(name, full)
    except OSError:
        pass


def _drop_escaping_links(folder: str, paths: list[str]) -> None:
    """Remove each link that resolves (through the other links: `a/b -> ..`
    then `x -> a/b/../..`) to the folder itself or out of it, until none
    does: the survey then finds what the working tree's walk admits."""
    root = os.path.realpath(folder)
    left = [full for full in (os.path.join(folder, *p.split("/")) for p in paths) if os.path.islink(full)]
    changed = True
    while changed:
        changed = False
        for full in list(left):
            real = os.path.realpath(full)
            if real == root or not below(real, root):
                os.unlink(full)
                left.remove(full)
                changed = True
