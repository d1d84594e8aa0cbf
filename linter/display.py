"""Printing what the checkout chose: file names, include patterns and the
configuration values messages quote belong, on a pull request, to whoever
wrote it.  Printed raw, a CR or LF in a file name starts a line of its own
and a GitHub Actions runner runs it as a workflow command (`::error ...`,
`::add-mask::`, `::stop-commands::`; the runner's legacy `##[error]...`
anywhere in a line), an escape sequence rewrites the terminal, and a name
that is not UTF-8 (os.fsdecode's surrogate escapes) cannot be encoded at
all.  So every reporter and every message corslint prints renders such text
through `text` (mid-line) or `line` (what begins a line), the JSON
reporters pass their output through `json_text`, and what must be printed
as it is (`--diff`) is `fenced` on GitHub Actions.
"""

from __future__ import annotations

import os
import re

#: C0, DEL and C1 controls; line and paragraph separators and bidirectional
#: overrides (they reorder what a reader sees); lone surrogates (the bytes
#: of a name that is not UTF-8); and the runner's legacy command opener
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]|##\\[")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "##[": "##\\x5b"}


def _escape(match) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:    # surrogateescape: the undecodable byte itself
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def text(value: str) -> str:
    """`value` with every character that could break a line, drive a
    terminal or fail to encode written as a backslash escape (`\\n`,
    `\\x1b`, `\\xff` for an undecodable byte), and `##[` as `##\\x5b`.
    Idempotent: escaping twice changes nothing."""
    return _UNSAFE.sub(_escape, value)


def line(value: str) -> str:
    """`text(value)` for what begins a printed line (a path, or a message
    that starts with one): `./` goes before what would otherwise read as a
    workflow command there (`::` after any white space), which names the
    same file."""
    shown = text(value)
    return "./" + shown if shown.lstrip().startswith("::") else shown


def fenced(raw: str) -> str:
    """Text printed as it is (a `--diff` shows the checkout's own lines,
    which may read as commands) fenced for the log of a GitHub Actions run:
    between `::stop-commands::TOKEN` and `::TOKEN::` the runner runs no
    command, and the random TOKEN cannot appear in the text to end the
    fence early.  Elsewhere, or when there is nothing to print, `raw`."""
    if not raw or not os.environ.get("GITHUB_ACTIONS"):
        return raw
    import secrets

    token = secrets.token_hex(16)
    if not raw.endswith("\n"):
        raw += "\n"
    return f"::stop-commands::{token}\n{raw}::{token}::\n"


def json_text(dumped: str) -> str:
    """JSON text with `##[` inside its strings written `##\\u005b`: the
    same value for any JSON reader, no command for the runner when the
    report is printed to the log."""
    return dumped.replace("##[", "##\\u005b")


def shown_path(path: str) -> str:
    """A path as messages show it: relative to the current folder when it
    lies there (`deploy/nginx`), else as given (an absolute path elsewhere)."""
    rel = os.path.relpath(path)
    return path if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel
