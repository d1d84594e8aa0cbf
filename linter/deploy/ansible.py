"""Reading an Ansible role's tasks for the files it deploys onto a server.

A role keeps its server configuration as templates (`templates/cors.conf.j2`)
and files (`files/nginx.conf`); its `tasks/*.yml` say where each lands:

    - template:
        src: cors.conf.j2
        dest: /etc/nginx/snippets/cors.conf
    - template: src=default.tpl dest=/etc/nginx/sites-enabled/default

Each `template:`/`copy:` task (short or `ansible.builtin.` name, dict or
`key=value` form) whose `dest` is server configuration becomes a mapping
(`corslint.mapping`), so that an include of the deployed path reads the
role's file.  `src` is looked up as Ansible does: in the role's
`templates/` (`files/` for copy), then from the role's folder.  A Jinja
expression in `dest` is unknown: when only the file name holds one
(`/etc/nginx/sites-available/{{ name }}.conf`) the file is still deployed
into that folder, and the mapping takes the template's rendered name there,
its origin saying so; an expression in a folder part maps nothing and is a
notice.  `loop`/`with_items` over a literal list is expanded (bounded),
over anything else is unknown.  A later task writing the same path wins,
as when the play runs.

Nothing is run: the tasks are read with YAML's safe loader through
`confine`, and only the task keys above are looked at.
"""

from __future__ import annotations

import fnmatch
import os
import re

from ..confine import read
from ..diagnostics import InputError
from ..display import shown_path
from ..mapping import Mapping

#: task files read of one role, tasks read of one file, items of one loop
MAX_TASK_FILES = 100
MAX_TASKS = 5_000
MAX_ITEMS = 100
#: files (loop items included) one role's tasks are read for
MAX_DEPLOYED = 10_000
#: `block:` nesting followed
MAX_BLOCK_DEPTH = 16
#: the longest src/dest read (a real one is a path)
MAX_PATH_CHARS = 4096

#: module name -> the role folder its `src` is looked up in first
MODULES = {"template": "templates", "ansible.builtin.template": "templates", "ansible.legacy.template": "templates",
           "copy": "files", "ansible.builtin.copy": "files", "ansible.legacy.copy": "files"}
#: a Jinja expression or statement (one line, non-greedy: bounded by the path's length cap)
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
#: `{{ item }}` and `{{ item.key }}` in a looped task
_ITEM = re.compile(r"\{\{\s*item(?:\.(\w+)|\[['\"](\w+)['\"]\])?\s*\}\}")
#: one `key=value` argument of the short form (a value may be quoted)
_ARG = re.compile(r"""(\w+)=("[^"]*"|'[^']*'|\S+)""")


def is_role(folder: str) -> bool:
    """A role's folder: it holds `tasks/` and `templates/` or `files/`."""
    return os.path.isdir(os.path.join(folder, "tasks")) and \
        (os.path.isdir(os.path.join(folder, "templates")) or os.path.isdir(os.path.join(folder, "files")))


def read_role(role: str) -> tuple[list[Mapping], list[tuple[str, str]], list[str]]:
    """(the mappings of what the role deploys onto a server, notices
    (path, "line N: message"), the task files read)."""
    from ..platforms.source import SourceError, load_yaml

    tasks = os.path.join(role, "tasks")
    try:
        names = sorted(n for n in os.listdir(tasks) if n.endswith((".yml", ".yaml")))[:MAX_TASK_FILES]
    except OSError:
        return [], [], []
    deployed: dict[str, Mapping] = {}
    notices: list[InputError] = []
    files = []
    budget = MAX_DEPLOYED
    for name in names:
        path = os.path.join(tasks, name)
        if not os.path.isfile(path):
            continue
        files.append(path)
        try:
            docs = load_yaml(read(path).decode("utf-8", errors="replace"))
        except (SourceError, OSError):
            continue    # not tasks YAML reads: nothing wired, as for any other file of the role
        for task in _tasks(docs):
            for mapping, notice in _task(task, role, path):
                budget -= 1
                if budget < 0:
                    notices.append(InputError(path, None, f"more than {MAX_DEPLOYED:,} deployed files: the rest "
                                                          f"of the role's tasks are not read"))
                    return list(deployed.values()), notices, files
                if notice is not None:
                    notices.append(notice)
                elif _server_path(mapping.target):
                    deployed[mapping.target] = mapping     # a later task writing the same path wins
    return list(deployed.values()), notices, files


def roots(mappings: list[Mapping]) -> dict[str, str]:
    """{repository file: kind} of the mapped files the server reads
    itself (its main file, sites and conf.d); snippets are read through
    the includes that name them."""
    from .images import LAYOUTS

    out = {}
    for mapping in mappings:
        for layout in LAYOUTS:
            if mapping.target == layout.main or any(fnmatch.fnmatchcase(mapping.target, g) for g in layout.stock):
                out[mapping.source] = layout.kind
                break
    return out


def _tasks(docs: list) -> list[dict]:
    """The tasks of a task file, `block`/`rescue`/`always` flattened (bounded)."""
    out: list[dict] = []
    stack = [(doc, 0) for doc in reversed(docs) if isinstance(doc, list)]
    while stack and len(out) < MAX_TASKS:
        items, depth = stack.pop()
        for task in items[:MAX_TASKS]:
            if not isinstance(task, dict):
                continue
            out.append(task)
            for key in ("block", "rescue", "always"):
                if isinstance(task.get(key), list) and depth < MAX_BLOCK_DEPTH:
                    stack.append((task[key], depth + 1))
    return out[:MAX_TASKS]


def _task(task: dict, role: str, taskfile: str):
    """(Mapping, None) for each file a template/copy task deploys, (None, notice) for what cannot be followed."""
    module = next((k for k in task if k in MODULES), None)
    if module is None:
        return
    line = task.line_of(module) if hasattr(task, "line_of") else 1
    args = _arguments(task[module], task.get("args"))
    src, dest = args.get("src"), args.get("dest")
    if not isinstance(src, str) or not isinstance(dest, str) or len(src) > MAX_PATH_CHARS or \
            len(dest) > MAX_PATH_CHARS:
        return
    items = _items(task)
    if items is None and (_ITEM.search(src) or _ITEM.search(dest)):
        yield None, InputError(taskfile, line, "the loop's items are not a literal list: the files this task "
                                               "deploys are unknown")
        return
    origin = f"{shown_path(taskfile)}:{line}"
    for item in items or [None]:
        yield from _one(_with_item(src, item), _with_item(dest, item), MODULES[module], role, origin, taskfile,
                        line)


def _one(src: str, dest: str, folder: str, role: str, origin: str, taskfile: str, line: int):
    """(Mapping, None) for the file one task item deploys, or (None, a notice
    at the task's line) for what cannot be followed."""
    if _JINJA.search(src):
        if _server_path(_JINJA.sub("x", dest)):
            yield None, InputError(taskfile, line, f"src {src!r} holds a Jinja expression: the file deployed to "
                                                     f"{dest} is unknown")
        return
    if not dest.startswith("/"):
        return
    source = _source(src, folder, role)
    if source is None:
        return
    parts = dest.rstrip("/").split("/")
    unknown = [i for i, part in enumerate(parts) if _JINJA.search(part)]
    name = _rendered_name(source) if folder == "templates" else os.path.basename(source)
    if dest.endswith("/"):
        parts.append(name)
    elif unknown and unknown != [len(parts) - 1]:
        if _server_path(_JINJA.sub("x", dest)):
            yield None, InputError(taskfile, line, f"dest {dest!r} has a Jinja expression in a folder: where it "
                                                     f"deploys is unknown")
        return
    elif unknown:
        origin += f", named {parts[-1]!r} there (unknown: taken as {name})"
        parts[-1] = name
    yield Mapping(os.path.normpath("/".join(parts)), os.path.abspath(source), origin), None


def _arguments(value, extra) -> dict:
    """The module's arguments: a dict, or the `key=value` string form (with `args:` added)."""
    args = dict(extra) if isinstance(extra, dict) else {}
    if isinstance(value, dict):
        args.update(value)
    elif isinstance(value, str) and len(value) <= 4 * MAX_PATH_CHARS:
        args.update((k, v[1:-1] if v[:1] in "\"'" else v) for k, v in _ARG.findall(value))
    return args


def _items(task: dict) -> list | None:
    """The literal items a task loops over ([] without a loop), None when unknown."""
    for key in ("loop", "with_items", "with_list"):
        if key in task:
            value = task[key]
            if isinstance(value, list) and all(isinstance(v, (str, int, dict)) for v in value):
                return value[:MAX_ITEMS]
            return None
    return []


def _with_item(text: str, item) -> str:
    if item is None:
        return text

    def value(match):
        key = match.group(1) or match.group(2)
        if key is None:
            return str(item) if not isinstance(item, dict) else match.group(0)
        return str(item.get(key, match.group(0))) if isinstance(item, dict) else match.group(0)

    return _ITEM.sub(value, text)


def _source(src: str, folder: str, role: str) -> str | None:
    """The role's file `src` names: in its `templates/` (`files/`), then
    from the role's folder; when neither holds it, the first (an include
    of the deployed path then says the repository lacks that file)."""
    if os.path.isabs(src):
        return None
    candidates = [os.path.normpath(os.path.join(base, src)) for base in (os.path.join(role, folder), role)]
    spelled = candidates[1] if src.split("/")[0] == folder else candidates[0]   # `src: templates/x.j2`
    return next((c for c in candidates if os.path.isfile(c)), spelled)


def _rendered_name(path: str) -> str:
    from ..templates.recognize import rendered_name

    return rendered_name(path)


def _server_path(path: str) -> bool:
    from .images import layout_of

    return path.startswith("/") and layout_of(os.path.normpath(path)) is not None


