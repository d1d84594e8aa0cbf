"""Reading a Dockerfile for the repository files its image serves.

Only the final stage is the image (`FROM x AS base` ... `FROM base`
inherits base's files); `COPY --from=stage` copies another stage's build
output, not the repository, and is ignored.  `COPY`/`ADD` sources are
relative to the build context (the Dockerfile's folder, or the compose
file's `build: context:`), destinations to `WORKDIR` (default `/`); a
destination ending in `/`, several sources, or a folder the server images
hold (`/etc/nginx/conf.d`) receive each source by its name, and a source
folder's contents.  `ARG`/`ENV` values are substituted where the file (or
the compose build's `args`) gives them.

`RUN` is shell, never run: `rm` of deployed paths removes them, `cp`/`mv`
of a copied repository file to another deployed path maps it there too,
and any other step that writes server configuration (`sed -i`, `> file`,
`tee`, `COPY <<EOF`) is a notice at its line: configuration corslint cannot
read must never pass silently.
"""

from __future__ import annotations

import glob
import json
import os
import re

from ..confine import read
from ..diagnostics import InputError
from ..expansion import Budget
from ..mapping import Mapping, translate
from .container import Container, source_problem
from .images import LAYOUTS, config_like, configures_server, template_dir
from .variables import Unknown, substitute

#: instructions read from one Dockerfile
MAX_INSTRUCTIONS = 10_000
#: files one glob source may match
MAX_MATCHES = 1_000
#: lines one heredoc may hold
MAX_HEREDOC_LINES = 100_000
#: the longest RUN step split into shell words (a real one is a few kilobytes)
MAX_RUN_CHARS = 64 * 1024
_CONFIG_PREFIXES = tuple(layout.prefix for layout in LAYOUTS) + ("/etc/nginx",)

_DIRECTIVE = re.compile(r"#\s*escape\s*=\s*(\S)", re.IGNORECASE)
_HEREDOC = re.compile(r"<<-?\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?")
_FLAG = re.compile(r"--([a-z-]+)(?:=(\S*))?$")
_ASSIGN = re.compile(r"""([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)""")


def instructions(text: str) -> list[tuple[int, str, str]]:
    """(line, INSTRUCTION, arguments) of a Dockerfile: continuation lines
    joined, comment lines dropped, heredoc bodies appended (after a newline)."""
    lines = text.splitlines()
    escape = "\\"
    for line in lines[:5]:     # parser directives come first
        m = _DIRECTIVE.match(line.strip())
        if m:
            escape = m.group(1)
    out: list[tuple[int, str, str]] = []
    index = 0
    while index < len(lines) and len(out) < MAX_INSTRUCTIONS:
        start = index
        stripped = lines[index].strip()
        index += 1
        if not stripped or stripped.startswith("#"):
            continue
        parts = [stripped]
        while parts[-1].endswith(escape) and index < len(lines):
            parts[-1] = parts[-1][:-1]
            while index < len(lines) and (not lines[index].strip() or lines[index].strip().startswith("#")):
                index += 1      # comment and empty lines inside a continued instruction
            if index < len(lines):
                parts.append(lines[index].strip())
                index += 1
        joined = " ".join(p for p in parts if p)
        for tag in _HEREDOC.findall(joined)[:8]:
            body = []
            while index < len(lines) and lines[index].strip() != tag and len(body) < MAX_HEREDOC_LINES:
                body.append(lines[index])
                index += 1
            index += 1
            joined += "\n" + "\n".join(body)
        word, _, rest = joined.partition(" ")
        out.append((start + 1, word.upper(), rest.strip()))
    return out


class _Reader:
    """One Dockerfile's stages, read in order."""

    def __init__(self, path: str, context: str, args: dict[str, str], root: str):
        self.path = path
        self.context = os.path.abspath(context)
        self.args = args
        self.root = root
        self.budget = Budget()
        self.globals: dict[str, str] = {}
        self.stages: dict[str, tuple[Container, dict, str]] = {}
        self.container = Container()
        self.values: dict[str, str] = {}
        self.workdir = "/"
        self.line = 0
        #: the current stage's name ("" when unnamed), None before the first FROM
        self.stage: str | None = None
        self.notices = self.container.notices
        self.unknown = ""

    def notice(self, message: str) -> None:
        self.container.notices.append(InputError(self.path, self.line, message))

    def origin(self) -> str:
        return f"{self.path}:{self.line}"

    def expand(self, text: str) -> str | None:
        try:
            return substitute(text, self.values, self.budget)
        except Unknown as exc:
            self.unknown = exc.name
            return None

    def deployed(self, path: str) -> str:
        return os.path.normpath(os.path.join(self.workdir, path))

    def run(self, text: str) -> Container:
        for self.line, word, rest in instructions(text):
            handler = getattr(self, "do_" + word.lower(), None)
            if handler is not None:
                handler(rest)
        return self.container

    def do_from(self, rest: str) -> None:
        if self.stage is not None:
            self.stages[self.stage] = (self.container, self.values, self.workdir)
        words = [w for w in rest.split() if not w.startswith("--")]
        base = (self.expand(words[0]) or "") if words else ""
        if base in self.stages:
            container, values, workdir = self.stages[base]
            self.container, self.values, self.workdir = container.copy(), dict(values), workdir
            self.container.notices = self.notices
        else:
            self.container, self.values, self.workdir = Container(notices=self.notices), dict(self.globals), "/"
        self.stage = words[2] if len(words) >= 3 and words[1].lower() == "as" else ""

    def do_arg(self, rest: str) -> None:
        for item in rest.split():
            name, has_default, default = item.partition("=")
            value = self.args.get(name)
            if value is None and has_default:
                value = self.expand(_unquote(default))
            if value is None and name in self.globals:     # `ARG NAME` in a stage takes the global value
                value = self.globals[name]
            if value is not None:
                (self.values if self.stage is not None else self.globals)[name] = value

    def do_env(self, rest: str) -> None:
        pairs = _ASSIGN.findall(rest) if "=" in rest.split(None, 1)[0] else \
            [tuple(rest.split(None, 1))] if len(rest.split(None, 1)) == 2 else []
        for name, raw in pairs:
            value = self.expand(_unquote(raw))
            if value is None:
                self.values.pop(name, None)
                self.container.env.pop(name, None)
            else:
                self.values[name] = self.container.env[name] = value

    def do_workdir(self, rest: str) -> None:
        path = self.expand(_unquote(rest))
        self.workdir = self.deployed(path) if path is not None else "/"

    def do_copy(self, rest: str) -> None:
        words, flags = _copy_words(rest)
        if "from" in flags or len(words) < 2:
            return
        if words[0].startswith("<<"):      # COPY <<EOF /path: the text is the Dockerfile's
            dest = self.expand(words[1]) if len(words) > 1 else None
            if dest is not None and configures_server(self.deployed(dest)):
                self.notice(f"writes {self.deployed(dest)} from a heredoc: corslint does not read configuration "
                            f"written inside a Dockerfile; lint it as a file of its own")
            return
        dest = self.expand(words[-1])
        if dest is None:
            self.notice(f"the destination {words[-1]} needs ${{{self.unknown}}}, which this Dockerfile gives no "
                        f"value: not mapped")
            return
        into_folder = dest.endswith("/") or len(words) > 2 or _image_folder(self.deployed(dest))
        target = self.deployed(dest)
        for word in words[:-1]:
            self.copy_source(word, target, into_folder)

    do_add = do_copy

    def copy_source(self, word: str, target: str, into_folder: bool) -> None:
        if re.match(r"^[a-z][a-z0-9+.-]*://|^git@", word):
            return      # ADD of a URL: not the repository
        relative = self.expand(word)
        if relative is None:
            if configures_server(target):
                self.notice(f"the source {word} needs ${{{self.unknown}}}, which this Dockerfile gives no value: "
                            f"{target} is not mapped")
            return
        source = os.path.normpath(os.path.join(self.context, relative.lstrip("/")))
        if any(ch in relative for ch in "*?[") and _below(source, self.context):
            matches = sorted(glob.glob(source))[:MAX_MATCHES]
            for match in matches:
                self.map(os.path.join(target, os.path.basename(match)), match)
            return
        if os.path.isdir(source) or not into_folder:
            self.map(target, source)
        else:
            self.map(os.path.join(target, os.path.basename(source)), source)

    def map(self, target: str, source: str) -> None:
        problem = source_problem(source, self.root)
        if problem is None and not _below(source, self.context):
            problem = f"not read: {source} is outside the build context {self.context}"
        if problem is not None:
            if configures_server(target, template_dir(self.container.env)) and \
                    (config_like(target) or not problem.startswith("not found")):
                self.notice(f"COPY to {target}: {problem}")
            return
        self.container.add(Mapping(os.path.normpath(target), source, self.origin()))

    def do_run(self, rest: str) -> None:
        if len(rest) > MAX_RUN_CHARS:
            if any(prefix in rest for prefix in _CONFIG_PREFIXES):
                self.notice(f"a RUN step of {len(rest):,} characters names server configuration: corslint does not "
                            f"read steps that long; review it by hand")
            return
        for command in _commands(rest):
            self.shell(command)

    def shell(self, words: list[str]) -> None:
        while words and ("=" in words[0] and not words[0].startswith("-") or words[0] in ("sudo", "exec")):
            words = words[1:]
        if not words:
            return
        name = os.path.basename(words[0])
        args = [w for w in words[1:] if not w.startswith("-")]
        if name == "rm":
            for path in args:
                self.container.remove(self.deployed(path))
            return
        if name in ("cp", "mv") and len(args) >= 2:
            self.copy_within(args, words)
            return
        written = _written(name, words)
        for path in written:
            full = self.deployed(path)
            if configures_server(full, template_dir(self.container.env)):
                self.notice(f"RUN {name} writes {full}: corslint cannot read configuration a build step writes; "
                            f"review it by hand or keep that configuration in a file the Dockerfile copies")
                return

    def copy_within(self, args: list[str], words: list[str]) -> None:
        """`cp`/`mv` of a file the Dockerfile copied in: mapped at its new path."""
        dest = self.deployed(args[-1])
        if not configures_server(dest, template_dir(self.container.env)):
            return
        for arg in args[:-1]:
            found = translate(self.deployed(arg), self.container.current())
            if found is None:
                self.notice(f"RUN {os.path.basename(words[0])} into {dest}: its source {self.deployed(arg)} is not "
                            f"a repository file corslint knows of; what the server reads there is not linted")
                continue
            folder = len(args) > 2 or args[-1].endswith("/") or _image_folder(dest)
            self.map(os.path.join(dest, os.path.basename(found[0])) if folder and not os.path.isdir(found[0])
                     else dest, found[0])


def _below(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _written(name: str, words: list[str]) -> list[str]:
    """The files a shell command writes: `sed -i`'s files, redirections, `tee`."""
    out = [words[i + 1] for i, w in enumerate(words[:-1]) if w in (">", ">>", ">|")]
    if name == "sed" and any(re.match(r"^-[a-zA-Z]*i|^--in-place", w) for w in words[1:]):
        out += [w for w in words[1:] if w.startswith("/")]
    if name == "tee":
        out += [w for w in words[1:] if not w.startswith("-")]
    return out


def _commands(text: str) -> list[list[str]]:
    """The simple commands of a RUN step, as words (redirections kept as
    words); a step shlex cannot split is one command of its words."""
    import shlex

    if text.startswith("["):
        try:
            words = json.loads(text.split("\n", 1)[0])
            return [[str(w) for w in words]] if isinstance(words, list) else []
        except ValueError:
            pass
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|<>()")
    lexer.whitespace_split = True
    lexer.commenters = ""
    commands: list[list[str]] = [[]]
    try:
        for count, word in enumerate(lexer):
            if count > 100_000:
                break
            if word in ("&&", "||", ";", "|", "&", "(", ")", ";;"):
                commands.append([])
            else:
                commands[-1].append(word)
    except ValueError:
        return [text.split()]
    return [c for c in commands if c]


def _copy_words(rest: str) -> tuple[list[str], dict[str, str]]:
    """The sources and destination of a COPY/ADD (JSON or shell form) and its flags."""
    flags: dict[str, str] = {}
    words = rest.split()
    while words and _FLAG.match(words[0]):
        m = _FLAG.match(words[0])
        flags[m.group(1)] = m.group(2) or ""
        words = words[1:]
    remainder = " ".join(words)
    if remainder.startswith("["):
        try:
            parsed = json.loads(remainder.split("\n", 1)[0])
            if isinstance(parsed, list) and all(isinstance(w, str) for w in parsed):
                return parsed, flags
        except ValueError:
            pass
    return [_unquote(w) for w in remainder.split("\n", 1)[0].split()], flags


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _image_folder(deployed: str) -> bool:
    """Whether a server image holds a folder at `deployed` (a COPY to it
    without a trailing slash copies into it)."""
    deployed = deployed.rstrip("/")
    return any(deployed == layout.prefix or any(deployed == g.rsplit("/", 1)[0] for g in layout.stock)
               for layout in LAYOUTS) or deployed in ("/etc/nginx/templates", "/etc/nginx/snippets")


def read_dockerfile(path: str, context: str, args: dict[str, str], root: str) -> Container:
    """The final stage of the Dockerfile at `path`, built from `context`."""
    text = read(path).decode("utf-8", errors="replace")
    return _Reader(path, context, args, root).run(text)
