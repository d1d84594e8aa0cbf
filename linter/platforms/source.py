"""Reading platform manifests with line numbers: YAML (PyYAML's safe
loader only) and TOML (the standard library's `tomllib`; `tomli` on 3.10).

Rules point at the annotation or key that causes a finding, so every
mapping and list keeps the 1-based line of each of its keys and items.
Nothing is executed: CloudFormation tags (`!Ref`, `!Sub`...) become
`Intrinsic` values, which the lowerings treat as unknown.
"""

from __future__ import annotations

import re

import yaml

from ..compat import tomllib


class Located:
    """The line of a container and of each of its keys or items."""

    line: int = 1
    lines: dict

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class LMap(dict, Located):
    """A mapping; `get_ci` finds keys case-insensitively, as Traefik and
    Kubernetes annotations (by prefix) are read."""

    def __init__(self, line: int = 1):
        super().__init__()
        self.line = line
        self.lines = {}

    def get_ci(self, key: str, default=None):
        found = self.key_ci(key)
        return default if found is None else self[found]

    def key_ci(self, key: str):
        low = key.lower()
        return next((k for k in self if isinstance(k, str) and k.lower() == low), None)

    def line_ci(self, key: str) -> int:
        found = self.key_ci(key)
        return self.line if found is None else self.line_of(found)


class LList(list, Located):
    def __init__(self, line: int = 1):
        super().__init__()
        self.line = line
        self.lines = {}


class Intrinsic:
    """A CloudFormation intrinsic function (`!Ref Name`): its value is decided at deploy time."""

    def __init__(self, tag: str, value):
        self.tag = tag
        self.value = value

    def __repr__(self) -> str:
        return f"{self.tag} {self.value!r}"


class _Loader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences remember their lines."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LMap:
    loader.flatten_mapping(node)
    out = LMap(node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (dict, list)):
            raise yaml.constructor.ConstructorError(None, None, "found an unhashable key (a template action?)",
                                                    key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LList:
    out = LList(node.start_mark.line + 1)
    for index, item in enumerate(node.value):
        out.append(loader.construct_object(item, deep=True))
        out.lines[index] = item.start_mark.line + 1
    return out


def _intrinsic(loader: _Loader, suffix: str, node: yaml.Node) -> Intrinsic:
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = _sequence(loader, node)
    else:
        value = _mapping(loader, node)
    return Intrinsic("!" + suffix, value)


_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _sequence)
_Loader.add_multi_constructor("!", _intrinsic)


class SourceError(Exception):
    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


#: values a document may hold once its aliases are expanded: `&a [x, x]`,
#: `&b [*a, *a]`... doubles with every line (a "billion laughs"), and the
#: lowerings walk the expanded tree
MAX_EXPANDED_NODES = 1_000_000


def _check_expansion(root: yaml.Node) -> None:
    """Refuse alias bombs and aliases that contain themselves, before
    anything walks the document (iterative: deep nesting is no problem)."""
    size: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else \
            list(node.value) if isinstance(node, yaml.SequenceNode) else []
        if done:
            active.discard(key)
            size[key] = min(1 + sum(size[id(c)] for c in children), MAX_EXPANDED_NODES + 1)
            if size[key] > MAX_EXPANDED_NODES:
                raise SourceError(node.start_mark.line + 1,
                                  f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} values (an alias "
                                  f"bomb?); corslint does not read this file")
            continue
        if key in size:
            continue
        if key in active:
            raise SourceError(node.start_mark.line + 1, "YAML error: an alias refers to the value that contains it")
        active.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)


def load_yaml(text: str) -> list[object]:
    """Every document of a (multi-document) YAML file."""
    try:
        loader = _Loader(text)
        try:
            docs = []
            while loader.check_node():
                node = loader.get_node()
                _check_expansion(node)
                doc = loader.construct_document(node)
                if doc is not None:
                    docs.append(doc)
            return docs
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise SourceError(line, f"YAML error: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise SourceError(None, f"YAML error: {exc}") from None
    except RecursionError:      # PyYAML composes and constructs recursively
        raise SourceError(None, "YAML error: the document nests too deeply") from None


_TABLE = re.compile(r"^\s*\[\[?([^\]]+)\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")
#: one part of a dotted key: a quoted key (to its closing quote, or to the
#: end of the text when it has none) or a bare run; dots separate them.
#: Each alternative always matches, so one pass reads the key.
_KEY_PART = re.compile(r"""\s*("(?:[^"\\]|\\.?)*"?|'[^']*'?|[^."']*)\s*\.?""")
#: dotted parts a TOML key may have (Traefik's keys have a handful): `tomllib`
#: spends time quadratic in the parts of one key (80,000 parts in 160 KB: a minute)
MAX_TOML_KEY_PARTS = 32
_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
#: a key (at a line start, in a table header, or in an inline table) longer than that
_DEEP_KEY = re.compile(rf"(?:^|[\[{{,])[ \t]*{_PART}(?:[ \t]*\.[ \t]*{_PART}){{{MAX_TOML_KEY_PARTS}}}", re.MULTILINE)


def _toml_path(text: str) -> list[str]:
    """A dotted key (`a."b.c".d`) as its lower-case parts, quotes removed."""
    parts = [m.group(1).strip().strip("\"'").lower() for m in _KEY_PART.finditer(text.strip())]
    return parts[:-1] if len(parts) > 1 and not parts[-1] else parts


def load_toml(text: str) -> LMap:
    """A TOML file as located mappings: `tomllib` reads the values, a line
    scan of `[table]` headers and `key =` lines finds where each key is."""
    deep = _DEEP_KEY.search(text)
    if deep is not None:
        raise SourceError(text.count("\n", 0, deep.start()) + 1,
                          f"TOML error: a key with more than {MAX_TOML_KEY_PARTS} dotted parts")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise SourceError(int(m.group(1)) if m else None, f"TOML error: {exc}") from None
    where: dict[tuple, int] = {}
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        m = _TABLE.match(line)
        if m:
            table = _toml_path(m.group(1))
            where.setdefault(tuple(table), number)
            continue
        m = _KEY.match(line)
        if m:
            where.setdefault(tuple(table + _toml_path(m.group(1))), number)
    return _locate(data, (), where, 1)


def _locate(value, path: tuple, where: dict, line: int):
    if isinstance(value, dict):
        out = LMap(where.get(path, line))
        for key, item in value.items():
            key_path = path + (key.lower(),)
            out.lines[key] = where.get(key_path, out.line)
            out[key] = _locate(item, key_path, where, out.lines[key])
        return out
    if isinstance(value, list):
        out = LList(where.get(path, line))
        for index, item in enumerate(value):
            out.lines[index] = out.line
            out.append(_locate(item, path, where, out.line))
        return out
    return value


def strings_with(value, marker: str):
    """(line, text) of every string below `value` that contains `marker`."""
    if isinstance(value, LMap):
        for key, item in value.items():
            if isinstance(item, str) and marker in item:
                yield value.line_of(key), item
            else:
                yield from strings_with(item, marker)
    elif isinstance(value, LList):
        for index, item in enumerate(value):
            if isinstance(item, str) and marker in item:
                yield value.line_of(index), item
            else:
                yield from strings_with(item, marker)
    elif isinstance(value, Intrinsic):
        yield from strings_with(value.value, marker)
