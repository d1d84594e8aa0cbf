"""Command-line options: a small table-driven parser for corslint's commands.

`argparse` costs a pre-commit run about 5 ms before it reads one argument
(its import, `gettext` and `locale` for translated messages, `shutil` for
the terminal width): a quarter of what a one-file lint may take.  corslint
needs little of it: long options (`--name VALUE`, `--name=VALUE`), a short
alias for some (`-f VALUE`, `-fVALUE`, `-q`), flags, repeatable options,
choices, an int conversion, positionals, `--`, `-h`/`--help` and
`-V`/`--version`; all declared once in a table that also writes the help.
(`-` alone is a positional: the standard input.)

Errors raise `UsageError("PROG: message")`; the CLI prints it and exits 2.
"""

from __future__ import annotations

from types import SimpleNamespace


class UsageError(Exception):
    """A command line corslint cannot run (exit status 2)."""


class Opt:
    """One `--option`.  action: "store" (takes a value), "flag" (no value,
    True when given) or "append" (a value, repeatable: a list); `short` is
    its one-letter alias (`-f`), as ruff and shellcheck spell the common ones."""

    __slots__ = ("name", "short", "text", "action", "choices", "metavar", "default", "convert", "required")

    def __init__(self, name: str, text: str = "", *, short: str | None = None, action: str = "store",
                 choices: tuple[str, ...] | None = None, metavar: str | None = None, default=None,
                 convert=None, required: bool = False):
        self.name = name
        self.short = short
        self.text = text
        self.action = action
        self.choices = choices
        self.metavar = metavar or ("{" + ",".join(choices) + "}" if choices else name.lstrip("-").upper())
        self.default = [] if action == "append" and default is None else (False if action == "flag" else default)
        self.convert = convert
        self.required = required

    @property
    def dest(self) -> str:
        return self.name.lstrip("-").replace("-", "_")

    def usage(self) -> str:
        return self.name if self.action == "flag" else f"{self.name} {self.metavar}"

    def label(self) -> str:
        """The option as its help entry names it: `-f, --format {text,json}`."""
        return f"{self.short}, {self.usage()}" if self.short else self.usage()


class Pos:
    """A positional argument; `many` takes every remaining one (possibly none)."""

    __slots__ = ("dest", "metavar", "text", "many")

    def __init__(self, dest: str, metavar: str, text: str = "", *, many: bool = False):
        self.dest = dest
        self.metavar = metavar
        self.text = text
        self.many = many


class Command:
    """A command's options and positionals, its parser and its help."""

    def __init__(self, prog: str, description: str, *specs: Opt | Pos, version: str | None = None):
        self.prog = prog
        self.description = description
        self.options = {s.name: s for s in specs if isinstance(s, Opt)}
        self.shorts = {s.short: s.name for s in specs if isinstance(s, Opt) and s.short}
        self.positionals = [s for s in specs if isinstance(s, Pos)]
        self.version = version

    def error(self, message: str) -> UsageError:
        return UsageError(f"{self.prog}: {message} (see `{self.prog} --help`)")

    def parse(self, argv: list[str]) -> SimpleNamespace:
        """The values of every option and positional; `--help` and
        `--version` print and raise SystemExit(0), as argparse does."""
        values = {o.dest: (list(o.default) if o.action == "append" else o.default) for o in self.options.values()}
        given: set[str] = set()
        loose: list[str] = []
        args = iter(argv)
        for arg in args:
            if arg == "--":
                loose.extend(args)
                break
            if not arg.startswith("-") or arg == "-":
                loose.append(arg)
                continue
            arg = self._long(arg)
            name, eq, value = arg.partition("=")
            if name == "--help":
                raise SystemExit(self._print(self.help()))
            if name == "--version" and self.version:
                raise SystemExit(self._print(self.version + "\n"))
            option = self.options.get(name)
            if option is None:
                raise self.error(f"unknown option {name}")
            if option.action == "flag":
                if eq:
                    raise self.error(f"{name} takes no value")
                values[option.dest] = True
                continue
            if not eq:
                value = next(args, None)
                if value is None:
                    raise self.error(f"{name} needs a value ({option.metavar})")
            value = self._value(option, value)
            values[option.dest] = values[option.dest] + [value] if option.action == "append" else value
            given.add(name)
        for option in self.options.values():
            if option.required and option.name not in given:
                raise self.error(f"{option.name} is required")
        self._place(loose, values)
        return SimpleNamespace(**values)

    def _long(self, arg: str) -> str:
        """A short option in its long spelling: `-h` `--help`, `-V`
        `--version`, `-f json` `--format json`, `-fjson` `--format=json`; a
        long option as it is."""
        if arg.startswith("--"):
            return arg
        short, rest = arg[:2], arg[2:]
        if short == "-h":
            name = "--help"
        elif short == "-V" and self.version:
            name = "--version"
        elif short in self.shorts:
            name = self.shorts[short]
        else:
            raise self.error(f"unknown option {arg}")
        if not rest:
            return name
        if name in self.options and self.options[name].action != "flag":
            return f"{name}={rest}"
        raise self.error(f"{short} takes no value (not {arg})")

    def _value(self, option: Opt, value: str):
        if option.choices and value not in option.choices:
            raise self.error(f"{option.name} must be one of {', '.join(option.choices)} (not {value!r})")
        if option.convert is not None:
            try:
                return option.convert(value)
            except ValueError:
                raise self.error(f"{option.name}: not a valid value: {value!r}") from None
        return value

    def _place(self, loose: list[str], values: dict) -> None:
        rest = list(loose)
        for pos in self.positionals:
            if pos.many:
                values[pos.dest], rest = rest, []
            elif rest:
                values[pos.dest] = rest.pop(0)
            else:
                raise self.error(f"{pos.metavar} is required")
        if rest:
            raise self.error(f"unexpected argument{'s' if len(rest) > 1 else ''}: {' '.join(rest)}")

    def usage(self) -> str:
        """`usage: PROG [-h] [--opt VALUE] ... POSITIONAL`, wrapped between groups."""
        groups = ["[-h]"] + [o.usage() if o.required else f"[{o.usage()}]" for o in self.options.values()]
        groups += [f"[{p.metavar} ...]" if p.many else p.metavar for p in self.positionals]
        lines = [f"usage: {self.prog}"]
        for group in groups:
            if len(lines[-1]) + 1 + len(group) > 79:
                lines.append(" " * (len("usage: ") + len(self.prog)))
            lines[-1] += " " + group
        return "\n".join(lines)

    def help(self) -> str:
        import textwrap

        def entry(label: str, text: str) -> str:
            body = textwrap.fill(text, 79, initial_indent=" " * 26, subsequent_indent=" " * 26,
                                 break_on_hyphens=False).lstrip()
            return f"  {label:<22}  {body}" if len(label) <= 22 else f"  {label}\n{' ' * 26}{body}"

        lines = [self.usage(), "", textwrap.fill(self.description, 79), ""]
        if self.positionals:
            lines += ["arguments:"] + [entry(p.metavar, p.text) for p in self.positionals] + [""]
        lines += ["options:", entry("-h, --help", "show this help and exit")]
        if self.version:
            lines.append(entry("-V, --version", "print the version and exit"))
        lines += [entry(o.label(), o.text) for o in self.options.values()]
        return "\n".join(lines) + "\n"

    @staticmethod
    def _print(text: str) -> int:
        import sys

        sys.stdout.write(text)
        return 0
