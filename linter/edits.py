"""Machine-applicable edits: what rules attach to their findings.

A fix is offered only where it cannot change what the server does beyond
the finding it fixes, and only for a directive written on one line the way
this module recognises; anything else keeps its finding and gets no edit:

- nginx `add_header NAME VALUE;` gains `always` (CORS404);
- `add_header Vary Origin always;` is inserted after an nginx
  `add_header Access-Control-Allow-Origin ...;` line (CORS405): the block
  already has `add_header` lines, so the insertion never changes which
  level's `add_header` lines apply (adding one to a level that had none would);
  Apache gets `Header always merge Vary Origin` after its ACAO `Header` line;
- a header's value is replaced (CORS208 `True` -> `true`, CORS303 Max-Age
  clamped to 7200) in nginx `add_header` and Apache `Header` lines.

An `Edit` (diagnostics.py) replaces a column range of one line and carries
the fingerprint of the file it was computed from; fixes.py applies them
(`corslint --fix` / `--diff`).  Rules import this module only when a finding
has an edit, and a lint never imports fixes.py.
"""

from __future__ import annotations

import os
import re

from .cors import ACAO
from .diagnostics import Edit
from .record import record

# --------------------------------------------------------------------------- reading lines for rules

#: absolute path -> ((device, inode, mtime, size), digest, lines)
_cache: dict[str, tuple[tuple[int, ...], str, list[str]]] = {}


def _lines(path: str) -> tuple[str, list[str]] | None:
    """(digest, lines without their line breaks) of a file, or None when it
    cannot be read as UTF-8.  Cached while the file's mtime and size stay."""
    try:
        st = os.stat(path)
        key: tuple[int, ...] | None = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
    except OSError:
        key = None      # no file: the standard input read in its place (confine.stand_in), or nothing
    known = _cache.get(os.path.abspath(path))
    if known is not None and key is not None and known[0] == key:
        return known[1], known[2]
    from .confine import read

    try:
        data = read(path)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    digest = fingerprint(data)
    _cache[os.path.abspath(path)] = (key, digest, lines)
    return digest, lines


def forget() -> None:
    """Drop the lines read so far (after --fix rewrote files: a rewrite of the
    same size within one mtime tick must not look unchanged)."""
    _cache.clear()


def line_text(path: str, line: int) -> str | None:
    """The text of one line of a file (without its line break), or None."""
    read = _lines(path)
    if read is None or not 1 <= line <= len(read[1]):
        return None
    return read[1][line - 1]


def _line(source) -> tuple[str, str] | None:
    """(digest, text) of the line a model Source points at."""
    if source is None or not getattr(source, "path", None) or not getattr(source, "line", None):
        return None
    read = _lines(source.path)
    if read is None:
        return None
    digest, lines = read
    if not 1 <= source.line <= len(lines):
        return None
    return digest, lines[source.line - 1]


# a quoted string or a bare word (no quotes, braces, `;` or `#` in it)
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[^\s;{}"\'#]+')
_SPACE = re.compile(r"[ \t]*")


@record
class _Directive:
    indent: str
    tokens: list[tuple[str, int, int]]      # (text, start, end)
    end: int                                # nginx: index of the `;`; Apache: end of the last token

    def word(self, index: int) -> str:
        return unquote(self.tokens[index][0])


def unquote(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    return token


def _tokens(text: str) -> tuple[list[tuple[str, int, int]], int]:
    pos = _SPACE.match(text).end()
    tokens = []
    while True:
        m = _TOKEN.match(text, pos)
        if not m:
            return tokens, pos
        tokens.append((m.group(), m.start(), m.end()))
        pos = _SPACE.match(text, m.end()).end()
        if pos == m.end() and pos < len(text) and text[pos] not in ";#":
            return tokens, pos      # two tokens glued together: not a shape we know


def nginx_directive(text: str) -> _Directive | None:
    """One whole nginx directive on one line (`name args...;`, an optional
    trailing `# comment`), else None."""
    tokens, pos = _tokens(text)
    if not tokens or pos >= len(text) or text[pos] != ";":
        return None
    rest = text[pos + 1:].strip()
    if rest and not rest.startswith("#"):
        return None
    return _Directive(text[:len(text) - len(text.lstrip())], tokens, pos)


def apache_directive(text: str) -> _Directive | None:
    """One whole Apache directive on one line (no continuation), else None."""
    if text.rstrip().endswith("\\"):
        return None
    tokens, pos = _tokens(text)
    if not tokens or text[pos:].strip():
        return None
    return _Directive(text[:len(text) - len(text.lstrip())], tokens, tokens[-1][2])


def _nginx_add_header(text: str, header: str | None = None) -> _Directive | None:
    d = nginx_directive(text)
    if d is None or d.tokens[0][0] != "add_header" or len(d.tokens) not in (3, 4):
        return None
    if len(d.tokens) == 4 and d.tokens[3][0] != "always":
        return None
    if header is not None and d.word(1).lower() != header.lower():
        return None
    return d


_APACHE_ACTIONS = ("set", "add", "append", "merge", "setifempty")


def _apache_header(text: str, header: str) -> tuple[_Directive, int] | None:
    """An Apache `Header [always|onsuccess] ACTION NAME VALUE [condition]`
    line for `header`: (directive, index of the value token)."""
    d = apache_directive(text)
    if d is None or d.tokens[0][0].lower() != "header":
        return None
    i = 1
    if len(d.tokens) > i and d.tokens[i][0].lower() in ("always", "onsuccess"):
        i += 1
    if len(d.tokens) < i + 3 or d.tokens[i][0].lower() not in _APACHE_ACTIONS:
        return None
    if d.word(i + 1).lower() != header.lower():
        return None
    return d, i + 2


def _edit(source, digest: str, text: str, start: int, end: int, new: str) -> Edit:
    return Edit(source.path, source.line, start, end, text[start:end], new, digest)


# --------------------------------------------------------------------------- edits rules attach


def add_always(sources) -> tuple[Edit, ...]:
    """`always` for each nginx `add_header` line (CORS404); () unless every
    line can take it (a partial fix would hide the finding but leave, say,
    Allow-Credentials off the error responses)."""
    edits = []
    for source in dict.fromkeys(sources):
        read = _line(source)
        if read is None:
            return ()
        digest, text = read
        d = _nginx_add_header(text)
        if d is None:
            return ()
        if len(d.tokens) == 4:
            continue    # already `always`
        edits.append(_edit(source, digest, text, d.end, d.end, " always"))
    return tuple(edits)


def replace_value(source, header: str, old_value: str, new_value: str) -> tuple[Edit, ...]:
    """The value of an nginx `add_header` or Apache `Header` line for
    `header`, when it is written literally as `old_value`, becomes
    `new_value` (quoted the way the old one was)."""
    read = _line(source)
    if read is None:
        return ()
    digest, text = read
    d = _nginx_add_header(text, header)
    index = 2
    if d is None:
        found = _apache_header(text, header)
        if found is None:
            return ()
        d, index = found
    token, start, end = d.tokens[index]
    if unquote(token) != old_value or "$" in token or "%{" in token:
        return ()
    quote = token[0] if token[0] in "\"'" else ""
    return (_edit(source, digest, text, start, end, f"{quote}{new_value}{quote}"),)


_VARY_NGINX = "add_header Vary Origin always;"
_VARY_APACHE = "Header always merge Vary Origin"


def add_vary_origin(source) -> tuple[Edit, ...]:
    """A `Vary: Origin` line right after the Access-Control-Allow-Origin line
    at `source`, in the same block (CORS405)."""
    read = _line(source)
    if read is None:
        return ()
    digest, text = read
    lines = _lines(source.path)[1]
    following = lines[source.line].strip() if source.line < len(lines) else ""
    if _nginx_add_header(text, ACAO) is not None:
        insert = _VARY_NGINX
    elif _apache_header(text, ACAO) is not None:
        insert = _VARY_APACHE
    else:
        return ()
    if following.startswith(insert):
        return ()   # inserted before and the finding stayed: never insert twice
    indent = text[:len(text) - len(text.lstrip())]
    return (_edit(source, digest, text, len(text), len(text), f"\n{indent}{insert}"),)


def fingerprint(data: bytes) -> str:
    """What tells one version of a file from another while corslint runs:
    Python's own hash of the bytes, SipHash keyed by a secret drawn per
    process (inherited by the forked judges).  Edits never leave the
    process, and `hashlib` would cost every lint 2-3 ms of loading OpenSSL."""
    return f"{len(data)}:{hash(data) & 0xFFFFFFFFFFFFFFFF:016x}"
