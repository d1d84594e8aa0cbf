"""Which files to lint and what kind each one is.

Folders are walked (hidden folders, `node_modules` and virtualenvs are
skipped, and inside a git repository what `.gitignore` ignores: `git_listed`;
a link leading out of the folder walked is refused: `confine`); a
file is classified by its name first and its content second, reading
only its first few kilobytes, as the recognition fields of each kind's
entry in `kinds.KINDS` say.
"""

from __future__ import annotations

import os
import re

from . import confine
from .kinds import DEFAULT_KIND, KINDS, NOT_CONFIG, imported

_SKIP_DIRS = {"node_modules", "__pycache__", "venv", ".venv", "site-packages"}
#: how much of a file its content is judged on: source files and manifests
#: (a CORS setting may come late) and server configuration
_SOURCE_HEAD = 1 << 20
_CONFIG_HEAD = 8192

#: source kinds (claimed by their extensions) and server kinds, in table order
_SOURCE = tuple((name, kind) for name, kind in KINDS.items() if kind.extensions)
_SERVER = tuple((name, kind) for name, kind in KINDS.items() if not kind.extensions)
_SOURCE_EXTENSIONS = tuple(e for _name, kind in _SOURCE for e in kind.extensions)


def classify(path: str, name: str | None = None) -> str | None:
    """The kind of a file, or None when corslint has nothing to say about it;
    `name` judges it by another name (a template by the file it renders to)."""
    return recognise(path, name=name)[0]


def recognise(path: str, default: str | None = None, name: str | None = None) -> tuple[str | None, str | None]:
    """(kind, None) for a file corslint reads; (None, why) for one that looks
    like server configuration by its name or folder but whose content is
    another program's or nothing (`serverkind`: listed as skipped, never
    parsed); (None, None) when corslint has nothing to say about it.
    `default` is the kind of a file nothing identifies (one named on the
    command line): its content still decides between the servers and none.
    `name` judges the file by another name (see `classify`)."""
    name = name or os.path.basename(path)
    lower = name.lower()
    if lower.endswith(_SOURCE_EXTENSIONS):
        head = _head(path, _SOURCE_HEAD)
        return _source_kind([k for k in _SOURCE if lower.endswith(k[1].extensions)], head) if head else None, None
    if lower.endswith(NOT_CONFIG):
        return None, None
    for kind_name, kind in _SERVER:
        if not kind.read_to_name and _named(kind, name):
            return kind_name, None
    head = _head(path, _CONFIG_HEAD)
    if head is None:
        return default, None
    for kind_name, kind in _SERVER:
        if kind.read_to_name and _named(kind, name):
            return kind_name, None
    parent = os.path.basename(os.path.dirname(path))
    if any(name.endswith(kind.endings) or parent.startswith(kind.folders) or name in kind.sniffed_names
           for _name, kind in _SERVER):
        owner = next((k for k, kind in _SERVER if name.endswith(kind.endings)), default)
        return _by_content(head, owner)
    for kind_name, kind in _SERVER:   # a file of any name whose content is one kind's alone
        if kind.marker is not None and kind.marker in head and _sniffs(kind, head) \
                and not any(_sniffs(other, head) for _name, other in _SERVER if other is not kind):
            return kind_name, None
    return _by_content(head, default) if default is not None else (None, None)


def _by_content(head: bytes, owner: str | None) -> tuple[str | None, str | None]:
    """What a server configuration file's first bytes say it is: nginx,
    Apache, or (None, why) for another program's file or an empty one; the
    `owner` its name suggests when the head holds comments only."""
    from .serverkind import judge as judge_text

    verdict = judge_text(head, len(head) < _CONFIG_HEAD, owner or DEFAULT_KIND)
    if verdict is None:
        return owner, None
    return (verdict, None) if verdict in KINDS else (None, verdict)


def content_kind(head: bytes) -> str | None:
    """The kind text is by its content alone, whatever its name: a web
    server's (`serverkind`) or a platform manifest (a rendered template
    whose name says nothing: `apache.erb`, `x.tpl`)."""
    return _by_content(head, None)[0] or ("yaml" if _sniffs(KINDS["yaml"], head) else None)


def _named(kind, name: str) -> bool:
    return name in kind.names or name.endswith(kind.name_endings)


def _source_kind(candidates, head: bytes) -> str | None:
    """Of the source kinds a file's extension admits, the first (in table
    order) whose sniff its content matches, unless a kind it defers to
    matches too."""
    for kind_name, kind in candidates:
        if _sniffs(kind, head) and not any(_sniffs(KINDS[other], head) for other in kind.defer_to):
            return kind_name
    return None


def _sniffs(kind, head: bytes) -> bool:
    """Whether the first bytes of a file show the kind's content: a line-start
    test first when the kind has one (patterns are compiled by `re`'s cache
    at first use: a run that never needs one never pays for it)."""
    if kind.sniff_lines and not any(line.lstrip().startswith(kind.sniff_lines) for line in head.lower().splitlines()):
        return False
    if isinstance(kind.sniff, str):
        return bool(imported(kind.sniff)(head))
    return re.search(kind.sniff, head) is not None


def explicit_kind(path: str) -> tuple[str | None, str | None]:
    """The kind of a file named on the command line, as `recognise` says: a file
    nothing identifies (snippets such as `cors` or `api.inc` have no telling
    name) is the default kind's unless its content is another program's, and
    one whose name says it is another language (`app.py` without CORS
    settings, a ConfigMap manifest, `README.md`) has nothing to read."""
    return recognise(path, DEFAULT_KIND)


def _head(path: str, size: int) -> bytes | None:
    """The first `size` bytes of a file, or None when it is not read
    (`confine.read`: a FIFO or a device would block or never end)."""
    try:
        return confine.read(path, head=size)
    except OSError:
        return None


#: the most output read from one git command, and the seconds it may take
GIT_MAX_BYTES = 64 << 20
GIT_SECONDS = 30


def run_git(folder: str, *args: str, stdin: bytes = b"", max_bytes: int = GIT_MAX_BYTES) -> bytes | None:
    """The output of `git ARGS` run in `folder`, or None when git is
    absent, fails, answers more than `max_bytes` or takes more than
    `GIT_SECONDS`.

    The checkout is hostile: the commands corslint runs (`ls-files`,
    `rev-parse`, `ls-tree`, `cat-file`) run no hook, filter or pager, but
    the repository's `.git/config` may name a program as `core.fsmonitor`,
    which git would run: `-c core.fsmonitor=false` overrides it (the command
    line's configuration wins over the repository's).  git's own
    `safe.directory` refusal of a checkout another user owns is kept (never
    overridden).  `stdin` is fed from a thread, so a command that answers
    while it reads (`cat-file --batch`) cannot block on a full pipe."""
    import subprocess
    import threading

    command = ["git", "-c", "core.fsmonitor=false", "-C", folder, *args]
    try:
        proc = subprocess.Popen(command, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"})
    except OSError:
        return None
    timer = threading.Timer(GIT_SECONDS, proc.kill)
    timer.start()
    feeder = threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True) if stdin else None
    if feeder:
        feeder.start()
    try:
        data = proc.stdout.read(max_bytes + 1)
        if len(data) > max_bytes:
            proc.kill()
        proc.stdout.close()
        code = proc.wait()
    finally:
        timer.cancel()
    if feeder:
        feeder.join()
    return data if code == 0 and len(data) <= max_bytes else None


def _feed(pipe, data: bytes) -> None:
    """Write `data` to a child's standard input and close it (a child
    that stops reading, killed or failed, ends the writing)."""
    try:
        pipe.write(data)
    except OSError:
        pass
    try:
        pipe.close()
    except OSError:
        pass


def git_listed(folder: str) -> set[str] | None:
    """The files git lists below `folder` (tracked, and untracked ones not
    ignored: `.gitignore` respected), relative to it; None when the folder
    is no repository's, git is absent or fails, or its answer is too large
    or too slow (`run_git`): every file is then walked, as outside a
    repository (a refusal by `safe.directory` only means a walk of every
    file)."""
    data = run_git(folder, "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", ".")
    if data is None:
        return None
    return {os.path.normpath(os.fsdecode(name)) for name in data.split(b"\0") if name}


def _folders(listed: set[str]) -> set[str]:
    """Every folder on the way to a listed file (a walk enters no other)."""
    out: set[str] = set()
    for name in listed:
        folder = os.path.dirname(name)
        while folder and folder not in out:
            out.add(folder)
            folder = os.path.dirname(folder)
    return out


def expand(paths: list[str], root: str | None = None) -> list[tuple[str, bool, str | None]]:
    """(path, given explicitly, why it is not read or None) for every file
    below the given paths.  A file named is read wherever it lies (the
    user's choice); a file found by walking a folder is read only when its
    real path lies in that folder or in the configuration root (--root, else
    the current folder when the folder walked lies in it, else its nginx
    prefix: `sites-enabled/` links into `../sites-available/`): a link out of the tree is the
    checkout's, refused and listed (`confine.admit`)."""
    out: list[tuple[str, bool, str | None]] = []
    seen: set[str] = set()     # real paths already listed: a file and its links are linted once
    for path in paths:
        if os.path.isdir(path):
            wider = root if root is not None else _configuration_root(path)
            roots = [path] if wider is None else [path, wider]
            real_top = os.path.realpath(path)
            listed = git_listed(path)
            listed_folders = _folders(listed) if listed is not None else set()
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS and
                                 (listed is None or os.path.relpath(os.path.join(folder, d), path) in listed_folders))
                for name in sorted(files):
                    if name.startswith(".") and name != ".htaccess":
                        continue
                    if listed is not None and os.path.relpath(os.path.join(folder, name), path) not in listed:
                        continue    # ignored by .gitignore
                    # normalized, so `corslint .` names files as their includers do
                    full = os.path.normpath(os.path.join(folder, name))
                    if not os.path.exists(full):
                        continue    # a dangling link
                    refused = confine.admit(full, roots)
                    if refused is None:
                        if not os.path.isfile(full):
                            continue    # FIFOs, sockets, devices: never configuration
                        full = _resolved(full, path, real_top, wider)
                        real = os.path.realpath(full)
                        if real in seen:
                            continue    # `sites-enabled/app` -> `../sites-available/app`: linted once
                        seen.add(real)
                    out.append((full, False, refused))
        else:
            seen.add(os.path.realpath(path))
            out.append((path, True, None))
    return out


def _configuration_root(folder: str) -> str | None:
    """The configuration root of a folder walked without --root: the
    current folder when the folder lies in it, else the nginx prefix its
    layout shows (`/srv/etc/nginx` for `/srv/etc/nginx/sites-enabled/`)."""
    if confine.inside(folder, os.curdir):
        return os.curdir
    from .includes import nginx_prefix

    prefix = nginx_prefix(os.path.join(folder, "-"), None)
    return prefix.folder if prefix.found else None


def _resolved(full: str, top: str, real_top: str, wider: str | None) -> str:
    """A walked file named by where it really lies in the tree walked (a
    link `sites-enabled/app` is reported at `sites-available/app`: code
    scanning cannot show a result on a link), in the walk's own spelling
    (`top` as given); one that lies elsewhere in the configuration root
    (`wider`) by its path from the current folder (absolute when `top` is)."""
    if not os.path.islink(full):
        return full     # os.walk enters no linked folder: only a linked file names another
    real = os.path.realpath(full)
    inside = os.path.relpath(real, real_top)
    if inside == os.pardir or inside.startswith(os.pardir + os.sep):
        if wider is None or not confine.inside(real, wider):
            return full
        return real if os.path.isabs(top) else os.path.relpath(real, os.path.realpath(os.curdir))
    return os.path.normpath(os.path.join(top, inside))


#: name endings of templates (`linter/templates`) and of Terraform files (their `templatefile` calls)
_TEMPLATE_ENDINGS = (".j2", ".jinja", ".jinja2", ".erb", ".tpl", ".tmpl", ".gotmpl", ".ctmpl", ".template", ".tf")
_TEMPLATE_MARKUP = (b"{{", b"{%", b"<%")


def template_candidate(path: str) -> bool:
    """Whether a file may be a template, by its name alone: a template
    ending, or a YAML manifest in a `templates/` folder (Helm)."""
    lower = path.lower()
    return lower.endswith(_TEMPLATE_ENDINGS) or (
        lower.endswith((".yaml", ".yml")) and os.path.basename(os.path.dirname(os.path.abspath(path))) == "templates")


def template_markup(path: str) -> bool:
    """Whether a file holds template markup (`{{ }}`, `{% %}`, `<% %>`): one
    that does not parse is then rendered (`linter/templates`)."""
    head = _head(path, 1 << 20) or b""
    return any(marker in head for marker in _TEMPLATE_MARKUP)
