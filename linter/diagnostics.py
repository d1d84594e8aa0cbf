"""What a lint run reports: findings (rule results) and input errors.

The records here are plain data that every layer shares: rules yield
`Hit`s, the engine turns them into `Finding`s, reporters print them.  The
module imports nothing of corslint's but `record` and `display`, so
everything may import it (edits.py builds the `Edit`s findings carry; rules import
edits.py themselves, only when a finding has an edit).
"""

from __future__ import annotations

from . import display
from .record import field, record

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@record
class Related:
    path: str
    line: int
    message: str


@record(frozen=True)
class Edit:
    """One text replacement in one line of a file: the characters
    `start:end` (0-based, within the line, without its line break) of line
    `line` (1-based), which read `old` when the rule saw the file, become
    `new` (which may hold line breaks: a line inserted after this one).
    `digest` is `fixes.fingerprint` of the whole file as it was read, so an
    edit is never applied to a file that changed since."""

    path: str
    line: int
    start: int
    end: int
    old: str
    new: str
    digest: str


@record
class Finding:
    """One rule result, pointing at the configuration line that causes it."""

    code: str
    name: str
    severity: str
    path: str
    line: int
    message: str
    request: str = ""
    column: int | None = None
    end_line: int | None = None
    related: list[Related] = field(default_factory=list)
    fix: str | None = None
    #: machine-applicable text edits that fix this finding (`corslint --fix`);
    #: empty when no fix is safe
    edits: tuple[Edit, ...] = ()
    #: what a check that is not a rule computed (`corslint surface`'s scope
    #: entry, surface/collect.py), carried through the engine's judging
    #: (forked shares, alternatives, template variants); None for rules
    data: object = None

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.path, self.line, self.code)


class InputError(Exception):
    """An input that cannot be read or parsed: reported as `path:line: message`
    and makes the run exit 2 (the other files are still linted)."""

    def __init__(self, path: str, line: int | None, message: str, column: int | None = None):
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message
        self.column = column

    def __reduce__(self):
        # pickled by the engine's second judging process (Exception's default
        # pickling would call __init__ with the message alone)
        return (InputError, (self.path, self.line, self.message, self.column))

    def __str__(self) -> str:
        """The line printed on stderr, escaped (display.py): the path leads it."""
        where = display.line(self.path)
        if self.line:
            where += f":{self.line}" + (f":{self.column}" if self.column else "")
        return f"{where}: {display.text(self.message)}"


@record
class Hit:
    """What a rule's `check` yields; the engine adds the rule's code, name
    and severity and turns it into a Finding."""

    source: object          # model.Source: the line the finding points at
    message: str
    request: str = ""
    related: list[Related] = field(default_factory=list)
    fix: str | None = None
    #: machine-applicable edits (see Edit); `fix` stays the human sentence
    edits: tuple[Edit, ...] = ()
    #: at most this severity, for a hit the rule's message says is less
    #: likely (CORS205's bypass through a host no public certificate names)
    at_most: str | None = None
    #: Finding.data
    data: object = None
