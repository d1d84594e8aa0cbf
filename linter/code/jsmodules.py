"""The relative imports of a JavaScript/TypeScript file, followed as Node resolves them: never run.

Most Express apps keep their CORS options in a module of their own
(`app.use(cors(require('./config/corsOptions')))`, `import { corsOptions }
from './config/corsOptions.js'`), often built on an `allowedOrigins` array
from a third module.  Without following those imports the options are
unknown.  A `Graph` follows them for one linted file:

- only relative specifiers (`./x`, `../config/x`): a package name is a
  dependency, not the app's configuration;
- a specifier is resolved as Node's `require` resolves it (the exact file,
  then `.js` and `.json`, then the folder's `package.json` `main` and
  `index.js`/`index.json`), with TypeScript's own extensions first in a
  TypeScript file (and `./x.js` naming `./x.ts`, as `tsc` resolves it).  Node's
  ESM loader wants the exact file; extension-less ESM imports are resolved
  like `require` here, as TypeScript and bundlers do;
- what a module exports is read from `module.exports = ...`,
  `module.exports.a = ...`/`exports.a = ...`, `export default`, `export const`,
  `export { a, b as c }` and re-exports `export { a } from './y'`,
  `export * from './y'`, evaluated by the same small interpreter;
- every read goes through `confine` (below the root the linted file is read
  under, no link followed out of it), at most MAX_DEPTH imports deep and
  MAX_MODULES modules for one file, and a cycle is detected.

A module that cannot be found, read or parsed, or that lies past a limit,
leaves its value unknown and the reason is a notice at the import's
file:line: never silently nothing.
"""

from __future__ import annotations

import json
import os
import re

from ..diagnostics import InputError
from .values import Unknown

#: how many imports deep a chain is followed (app -> options -> origin list is 2)
MAX_DEPTH = 8
#: how many modules one linted file may read through its imports
MAX_MODULES = 64
#: specifiers whose module is CORS configuration by its name: one not followed is
#: always said; any other (routes, a database module) only when its value reaches
#: the CORS configuration (`Graph.flag`): its routes are opaque middleware either way
_CORS_NAME = re.compile(r"(?i)cors|origin|allow|whitelist|white_list|domain")


def is_relative(spec: str) -> bool:
    """A specifier Node resolves against the importing file's folder."""
    return spec.startswith(("./", "../")) or spec in (".", "..")


def _candidates(base: str, typescript: bool) -> list[str]:
    """The files Node's `require` tries for `base` (LOAD_AS_FILE, then LOAD_INDEX)
    before the folder's package.json `main`; TypeScript's extensions first in a TS file."""
    own = [".ts", ".tsx", ".mts", ".cts"] if typescript else []
    files = [base] + [base + ext for ext in own + [".js", ".json"]]
    if typescript and base.endswith((".js", ".mjs", ".cjs")):
        stem, ext = os.path.splitext(base)
        files.insert(0, stem + {".js": ".ts", ".mjs": ".mts", ".cjs": ".cts"}[ext])
    return files


def _index(folder: str, typescript: bool) -> list[str]:
    return [os.path.join(folder, "index" + ext) for ext in
            ([".ts", ".tsx"] if typescript else []) + [".js", ".json"]]


class Exports:
    """What one module exports: CommonJS `module.exports` and its properties, ESM names."""

    def __init__(self):
        self.esm = False
        #: `module.exports = value` (None when never assigned)
        self.assigned = None
        #: `module.exports.a = ...` / `exports.a = ...`
        self.props: dict[str, object] = {}
        #: ESM: export name -> value ("default" for `export default`)
        self.names: dict[str, object] = {}

    def commonjs(self):
        """`module.exports` as `require` returns it (a namespace for an ES module)."""
        if self.esm and self.assigned is None and not self.props:
            return dict(self.names)
        if self.assigned is None:
            return dict(self.props)
        if isinstance(self.assigned, dict) and self.props:
            return {**self.assigned, **self.props}
        return self.assigned

    def named(self, name: str):
        """`import { name }`, `import name` ("default") or `import * as` ("*")."""
        if self.esm:
            if name == "*":
                return dict(self.names)
            return self.names.get(name, Unknown(f"the module exports no {name!r}"))
        value = self.commonjs()
        if name == "default":
            return value
        if name == "*":
            return {**value, "default": value} if isinstance(value, dict) else {"default": value}
        if isinstance(value, dict):
            return value.get(name, Unknown(f"the module exports no {name!r}"))
        return Unknown(f"{name!r} of a module whose exports are not an object")


class Graph:
    """The modules one linted file reaches through relative imports."""

    def __init__(self, root: str, claims=None):
        #: the folder every module read lies below (confine.lookup_root of the linted file)
        self.root = root
        #: whether a module's bytes are part of the linted file's configuration (listed in
        #: `files`, so a folder walk lints it there) rather than linted on their own
        self.claims = claims
        #: real path -> Exports, or the Unknown that loading it gave
        self.loaded: dict[str, object] = {}
        #: real paths being loaded (a cycle meets one of them again)
        self.loading: list[str] = []
        #: the modules read, as shown (after the linted file)
        self.files: list[str] = []
        #: imports not followed, at the importing file's line
        self.notices: list[InputError] = []
        #: the reason of an Unknown an import gave -> its notice, not said unless flagged
        self.quiet: dict[str, InputError] = {}
        #: id(value) -> (value, module, node) of every object and array literal
        #: built: where options and origin lists are written, for findings' lines
        self.literals: dict[int, tuple] = {}

    # -- what the interpreter asks -------------------------------------------------------------------
    def note_literal(self, value, module, node) -> None:
        self.literals.setdefault(id(value), (value, module, node))

    def literal(self, value):
        """(module, node) where the object or array `value` was written, or None."""
        found = self.literals.get(id(value))
        return (found[1], found[2]) if found is not None and found[0] is value else None

    def required(self, importer, spec: str, line: int):
        """`require(spec)` in `importer`: its `module.exports`, or Unknown (said in a notice)."""
        exports = self._load(importer, spec, line, f"require({spec!r})")
        return exports.commonjs() if isinstance(exports, Exports) else exports

    def imported(self, importer, spec: str, name: str, line: int):
        """`import ... from spec` in `importer`: the export `name` ("default", "*" or a name)."""
        exports = self._load(importer, spec, line, f"import from {spec!r}")
        if not isinstance(exports, Exports):
            return exports
        value = exports.named(name)
        if isinstance(value, Unknown) and value.reason.startswith("the module exports no"):
            self._notice(importer, line, f"import {{ {name} }} from {spec!r}: {value.reason}: its value is unknown")
        return value

    # -- loading -------------------------------------------------------------------------------------------
    def _notice(self, importer, line: int, message: str) -> None:
        self._notice_error(InputError(importer.path, line, message))

    def _notice_error(self, notice: InputError) -> None:
        if str(notice) not in {str(n) for n in self.notices}:
            self.notices.append(notice)

    def _unknown(self, importer, line: int, what: str, why: str) -> Unknown:
        message = f"{what}: not followed: {why}; what it exports is unknown"
        unknown = Unknown(f"{what} was not followed ({why})", line)
        if _CORS_NAME.search(what):
            self._notice(importer, line, message)
        else:
            self.quiet[unknown.reason] = InputError(importer.path, line, message)
        return unknown

    def flag(self, value, depth: int = 0) -> None:
        """Say the imports not followed that `value` (CORS options, an origin list) depends on."""
        if isinstance(value, Unknown) and value.reason in self.quiet:
            notice = self.quiet.pop(value.reason)
            self._notice_error(notice)
        elif isinstance(value, dict) and depth < 4:
            for item in value.values():
                self.flag(item, depth + 1)
        elif isinstance(value, list) and depth < 4:
            for item in value[:100]:
                self.flag(item, depth + 1)

    def _load(self, importer, spec: str, line: int, what: str):
        from .. import confine

        if importer.file is None:
            return Unknown(f"{what}: the importing file is not on disk")
        found = self._resolve(importer.file, spec)
        if found is None:
            return self._unknown(importer, line, what, "no such module (resolved as Node does: the file, .js, "
                                                       ".json, the folder's index.js)")
        real = confine.real_path(found)
        if real in self.loading:
            return self._unknown(importer, line, what, "it imports itself through a cycle (Node hands the "
                                                       "cycle a partly built module)")
        if real in self.loaded:
            return self.loaded[real]
        if len(self.loading) >= MAX_DEPTH:
            return self._unknown(importer, line, what, f"imports nested more than {MAX_DEPTH} deep")
        if len(self.loaded) >= MAX_MODULES:
            return self._unknown(importer, line, what, f"more than {MAX_MODULES} modules imported")
        shown = os.path.normpath(os.path.join(os.path.dirname(importer.path),
                                              os.path.relpath(found, os.path.dirname(importer.file))))
        try:
            data = confine.read(found, self.root)
        except OSError as exc:
            self.loaded[real] = self._unknown(importer, line, what, f"{shown}: {exc.strerror or exc}")
            return self.loaded[real]
        self.loading.append(real)
        try:
            self.loaded[real] = self._exports(importer, line, what, found, shown, data)
        finally:
            self.loading.pop()
        if shown not in self.files and (self.claims is None or self.claims(data)):
            self.files.append(shown)
        return self.loaded[real]

    def _resolve(self, importer_file: str, spec: str) -> str | None:
        """The file Node loads for the relative `spec` (None when none is found)."""
        from .javascript import dialect_of

        typescript = dialect_of(importer_file) != "js"
        base = os.path.normpath(os.path.join(os.path.dirname(importer_file), spec))
        for candidate in _candidates(base, typescript):
            if os.path.isfile(candidate):
                return candidate
        if not os.path.isdir(base):
            return None
        main = self._main(base)
        for candidate in (_candidates(main, typescript) + _index(main, typescript) if main else []) + \
                _index(base, typescript):
            if os.path.isfile(candidate):
                return candidate
        return None

    def _main(self, folder: str) -> str | None:
        """The folder's package.json `main`, as a path (Node tries it before index.js)."""
        from .. import confine

        try:
            data = json.loads(confine.read(os.path.join(folder, "package.json"), self.root))
        except (OSError, ValueError, RecursionError):
            return None
        main = data.get("main") if isinstance(data, dict) else None
        return os.path.normpath(os.path.join(folder, main)) if isinstance(main, str) and main else None

    def _exports(self, importer, line: int, what: str, found: str, shown: str, data: bytes):
        if found.lower().endswith(".json"):
            try:
                exports = Exports()
                exports.assigned = json.loads(data)
                return exports
            except (ValueError, RecursionError) as exc:
                return self._unknown(importer, line, what, f"{shown} is not JSON ({exc})")
        from .javascript import Module, parse

        source = data.decode("utf-8", errors="replace").encode("utf-8")
        tree, errors = parse(source, found)
        if errors:
            at, _column, message = errors[0]
            return self._unknown(importer, line, what, f"{shown}:{at}: cannot parse it ({message})")
        module = Module(tree, source, shown, graph=self, file=found)
        preload(module)
        return read_exports(module)


def preload(module) -> None:
    """Follow the module-level imports of `module` now (`import x from './x'`,
    `const x = require('./x')`), not when a function first uses them: the
    files read and the notices are known when the model is built."""
    from .javascript import Return, Stop, Thrown, unwrap

    for name, bound in list(module.nodes.items()):
        node = bound[1] if isinstance(bound, tuple) and bound[0] == "member" else bound
        if (isinstance(bound, tuple) and bound[0] == "import") or (
                hasattr(node, "type") and unwrap(node).type in ("call_expression", "member_expression")
                and unwrap(node).text.startswith(b"require(")):
            try:
                module.binding(name)
            except (Thrown, Return, Stop, RecursionError):
                pass


def read_exports(module) -> Exports:
    """What `module` exports, from its top-level statements."""
    exports = Exports()
    for stmt in module.tree.root_node.named_children:
        if stmt.type == "export_statement":
            exports.esm = True
            _esm_export(module, stmt, exports)
        elif stmt.type == "expression_statement" and stmt.named_children \
                and stmt.named_children[0].type == "assignment_expression":
            _commonjs_export(module, stmt.named_children[0], exports)
    return exports


def _evaluate(module, node):
    from .javascript import Interpreter, Return, Stop, Thrown

    try:
        return Interpreter(module).eval(node, module.root)
    except (Thrown, Return, Stop, RecursionError):
        return Unknown(f"{node.text.decode('utf-8', 'replace')[:40]!r} cannot be evaluated",
                       node.start_point[0] + 1)


def _commonjs_export(module, assignment, exports: Exports) -> None:
    left = assignment.child_by_field_name("left")
    target = left.text.decode("utf-8", "replace") if left is not None else ""
    right = assignment.child_by_field_name("right")
    if target == "module.exports":
        exports.assigned = _evaluate(module, right)
    elif target.startswith(("module.exports.", "exports.")) and target.count(".") == target.startswith("m") + 1:
        exports.props[target.rsplit(".", 1)[1]] = _evaluate(module, right)


def _esm_export(module, stmt, exports: Exports) -> None:
    source = stmt.child_by_field_name("source")
    line = stmt.start_point[0] + 1
    declaration = stmt.child_by_field_name("declaration")
    value = stmt.child_by_field_name("value")
    is_default = any(child.type == "default" for child in stmt.children)
    if declaration is not None:
        names = _declared(declaration)
        if is_default and names:
            exports.names["default"] = module.binding(names[0])
        elif not is_default:
            for name in names:
                exports.names[name] = module.binding(name)
        elif declaration.type in ("function_expression", "class", "arrow_function"):
            exports.names["default"] = _evaluate(module, declaration)
    elif value is not None:
        exports.names["default"] = _evaluate(module, value)
    elif source is not None and any(child.type == "*" for child in stmt.children):
        from .javascript import string_value

        namespace = module.graph.imported(module, string_value(source), "*", line)
        if isinstance(namespace, dict):
            exports.names.update({k: v for k, v in namespace.items() if k != "default"})
    else:
        clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
        for spec in clause.named_children if clause is not None else ():
            if spec.type != "export_specifier":
                continue
            name = spec.child_by_field_name("name").text.decode()
            alias = spec.child_by_field_name("alias")
            if source is not None:
                from .javascript import string_value

                found = module.graph.imported(module, string_value(source), name, line)
            else:
                found = module.binding(name)
            exports.names[alias.text.decode() if alias is not None else name] = found


def _declared(declaration) -> list[str]:
    """The names a declaration binds (`const a = 1, b = 2`, `function f`, `class C`)."""
    if declaration.type in ("lexical_declaration", "variable_declaration"):
        return [d.child_by_field_name("name").text.decode() for d in declaration.named_children
                if d.type == "variable_declarator" and d.child_by_field_name("name").type == "identifier"]
    name = declaration.child_by_field_name("name")
    return [name.text.decode()] if name is not None else []
