"""The shape every template language is read into, and its rendering.

A language module (jinja, erb, gotemplate, terraform, envsubst) cuts a
template into items; `build` nests them into a tree: text, expressions,
blocks with branches (`if`/`elif`/`else`, loops), includes.  `render`
writes one variant of the tree: every expression becomes `unknown.TOKEN`,
every tag becomes the line breaks it spans (so line numbers stay the
template's), each block takes the branch the variant chooses, and an
include is inlined with a line map that names the file and line each
rendered line comes from.
"""

from __future__ import annotations

from ..diagnostics import InputError
from ..unknown import TOKEN

#: blocks nested deeper than this are an input error (untrusted templates)
MAX_NESTING = 100
#: includes nested deeper than this are an input error
MAX_INCLUDE_DEPTH = 8
#: rendered text of one variant, past which the template is an input error
MAX_RENDERED = 8 * 1024 * 1024

# item kinds a language module yields: (kind, raw tag text, line, argument)
TEXT, EXPR, SKIP, OPEN, BRANCH, CLOSE, INCLUDE, DEFINE = ("text", "expr", "skip", "open", "branch", "close",
                                                          "include", "define")


class Block:
    """A control block: branches (tag, line, nodes), each a choice; `loop`
    blocks (for, range) choose between the body once and no iteration;
    `always` blocks (with, Jinja block, filter) render their only branch."""

    __slots__ = ("ident", "kind", "branches", "implicit_else")

    def __init__(self, ident: int, kind: str, tag: str, line: int):
        self.ident = ident
        self.kind = kind
        self.branches: list[tuple[str, int, list]] = [(tag, line, [])]
        self.implicit_else = True

    @property
    def choices(self) -> int:
        return 1 if self.kind == "always" else len(self.branches) + (1 if self.implicit_else else 0)


class Template:
    """One file's tree, its named definitions (Go `define`) and its path."""

    def __init__(self, path: str, nodes: list, defines: dict[str, list], blocks: list[Block]):
        self.path = path
        self.nodes = nodes
        self.defines = defines
        self.blocks = blocks


def build(path: str, items, start_ident: int = 0) -> Template:
    """Nest a language module's items into a Template; an unbalanced tag is
    an InputError at its line."""
    root: list = []
    stack: list[tuple[object, list]] = []   # (Block or define name, the node list being filled)
    current = root
    defines: dict[str, list] = {}
    blocks: list[Block] = []
    for kind, raw, line, arg in items:
        if kind == OPEN or kind == DEFINE:
            if len(stack) >= MAX_NESTING:
                raise InputError(path, line, f"template blocks nested deeper than {MAX_NESTING}")
            if kind == DEFINE:
                name, also_render = arg
                body: list = []
                defines.setdefault(name, body)
                if also_render:   # Go `block`: defined and executed here
                    current.append((INCLUDE, raw, line, name))
                else:
                    current.append((SKIP, raw, line, None))
                stack.append((name, current))
                current = body
                continue
            block = Block(start_ident + len(blocks), arg, raw, line)
            blocks.append(block)
            current.append(block)
            stack.append((block, current))
            current = block.branches[0][2]
        elif kind == BRANCH:
            if not stack or not isinstance(stack[-1][0], Block):
                raise InputError(path, line, f"template tag {_short(raw)} outside a block")
            block = stack[-1][0]
            if not block.implicit_else:
                raise InputError(path, line, f"template tag {_short(raw)} after the block's last branch")
            block.branches.append((raw, line, []))
            block.implicit_else = not arg   # arg: this branch is the final `else`
            current = block.branches[-1][2]
        elif kind == CLOSE:
            if not stack:
                raise InputError(path, line, f"template tag {_short(raw)} closes no block")
            opened, parent = stack.pop()
            if isinstance(opened, Block):
                opened.branches[-1][2].append((SKIP, raw, line, None))   # its line breaks
            else:
                current.append((SKIP, raw, line, None))
            current = parent
        else:
            current.append((kind, raw, line, arg))
    if stack:
        opened = stack[-1][0]
        what = f"define {opened!r}" if isinstance(opened, str) else _short(opened.branches[0][0])
        line = None if isinstance(opened, str) else opened.branches[0][1]
        raise InputError(path, line, f"template block {what} is never closed (the file ends first)")
    return Template(path, root, defines, blocks)


def _short(raw: str) -> str:
    text = " ".join(raw.split())
    return f"`{text[:80]}{'...' if len(text) > 80 else ''}`"


def describe(block: Block, branch: int, prefix: str) -> str:
    """Which branch of `block` a finding needs, in words; `prefix` leads
    its line numbers ("line " in the template linted, "other.j2:" in an include)."""
    head = f"{_short(block.branches[0][0])} at {prefix}{block.branches[0][1]}"
    if block.kind == "loop":
        return f"when the {head} " + ("repeats its body" if branch == 0 else "has nothing to repeat")
    if branch == 0:
        return f"when the {head} holds"
    explicit_else = branch == len(block.branches) - 1 and not block.implicit_else
    if branch < len(block.branches) and not explicit_else:
        tag, line = block.branches[branch][:2]
        return f"when the {_short(tag)} at {prefix}{line} holds"
    return f"when the {head}" + (" and its other branches do not hold" if len(block.branches) > 1
                                 else " does not hold")


class Rendered:
    """One variant: its text, the (path, line) each of its lines comes from,
    and the branch each block reached took (block ident -> branch)."""

    def __init__(self):
        self.parts: list[str] = []
        self.size = 0
        self.lines: list[tuple[str, int]] = []
        self.origin: tuple[str, int] | None = None
        self.line_blank = True
        self.chosen: dict[int, int] = {}

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def emit(self, text: str, path: str, line: int) -> None:
        """Add `text`, which starts at `line` of `path` (its line breaks advance it)."""
        self.size += len(text)
        if self.size > MAX_RENDERED:
            raise InputError(path, line, f"the template renders to more than {MAX_RENDERED >> 20} MiB")
        start = 0
        while True:
            if self.origin is None or (self.line_blank and text[start:start + 1].strip()):
                self.origin = (path, line)
            end = text.find("\n", start)
            if end < 0:
                if text[start:].strip():
                    self.line_blank = False
                break
            self.lines.append(self.origin)
            line += 1
            self.origin = None
            self.line_blank = True
            start = end + 1
        self.parts.append(text)

    def where(self, line: int) -> tuple[str, int] | None:
        """The (path, line) rendered line `line` comes from."""
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return self.origin if line == len(self.lines) + 1 else None


class Renderer:
    """Renders a Template with the branches `choose(block)` picks; `lookup(name,
    template, line)` gives the Template and node list an include names."""

    def __init__(self, choose, lookup):
        self.choose = choose
        self.lookup = lookup
        self.out = Rendered()

    def run(self, template: Template) -> Rendered:
        self._nodes(template, template.nodes, 0)
        if self.out.origin is not None:
            self.out.lines.append(self.out.origin)
        return self.out

    def _nodes(self, template: Template, nodes: list, depth: int) -> None:
        for node in nodes:
            if isinstance(node, Block):
                choice = self.choose(node)
                self.out.chosen[node.ident] = choice
                for index, (raw, line, body) in enumerate(node.branches):
                    self._breaks(template, raw, line)
                    if index == choice:
                        self._nodes(template, body, depth)
                    else:
                        self._silent(template, body)
                continue
            kind, raw, line, arg = node
            if kind == TEXT:
                self.out.emit(raw, template.path, line)
            elif kind == EXPR and arg is not None:   # a YAML block (Helm `toYaml ... | nindent N`)
                newline_first, width = arg
                self.out.emit(("\n" if newline_first else "") + " " * width + f"{TOKEN}: {TOKEN}"
                              + "\n" * raw.count("\n"), template.path, line)
            elif kind == EXPR:
                self.out.emit(TOKEN + "\n" * raw.count("\n"), template.path, line)
            elif kind == INCLUDE:
                self._include(template, raw, line, arg, depth)
            else:
                self._breaks(template, raw, line)

    def _breaks(self, template: Template, raw: str, line: int) -> None:
        self.out.emit("\n" * raw.count("\n"), template.path, line)

    def _silent(self, template: Template, nodes: list) -> None:
        """A branch not taken: only its line breaks."""
        for node in nodes:
            if isinstance(node, Block):
                for raw, line, body in node.branches:
                    self._breaks(template, raw, line)
                    self._silent(template, body)
            else:
                self._breaks(template, node[1], node[2])

    def _include(self, template: Template, raw: str, line: int, arg, depth: int) -> None:
        name, indent = arg if isinstance(arg, tuple) else (arg, None)
        found = self.lookup(name, template, line) if depth < MAX_INCLUDE_DEPTH else None
        if depth >= MAX_INCLUDE_DEPTH:
            raise InputError(template.path, line, f"template includes nested deeper than {MAX_INCLUDE_DEPTH}")
        if found is None:   # not found (reported by lookup when it matters): an unknown value
            self.out.emit(TOKEN + "\n" * raw.count("\n"), template.path, line)
            return
        other, nodes = found
        if indent is None:
            self._nodes(other, nodes, depth + 1)
        else:   # Helm `| nindent N` / `| indent N`: rendered apart, then indented
            inner = Renderer(self.choose, self.lookup)
            inner.out.chosen = self.out.chosen
            inner._nodes(other, nodes, depth + 1)
            if inner.out.origin is not None:
                inner.out.lines.append(inner.out.origin)
            self._indented(inner.out, indent, template, line)
        self._breaks(template, raw, line)

    def _indented(self, inner: Rendered, indent: tuple[bool, int], template: Template, line: int) -> None:
        newline_first, width = indent
        pieces = inner.text.split("\n")
        if newline_first:
            self.out.emit("\n", template.path, line)
            self.out.lines[-1] = (template.path, line)
        for index, piece in enumerate(pieces):
            path, number = inner.lines[index] if index < len(inner.lines) else (template.path, line)
            self.out.emit((" " * width if piece else "") + piece, path, number)
            if index < len(pieces) - 1:
                self.out.emit("\n", path, number)
