"""Machine-applicable fixes: the edits rules attach to their findings, and
`corslint --fix` / `--diff`, which apply or show them.

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
the fingerprint of the file it was computed from.  Applying them: the edits of
one file are merged (a finding's edits are applied all together or not at
all; one that overlaps an edit already taken waits for the next round), the
file is read again and left alone, with a message, when its digest changed;
the result is written atomically (a temporary file in the same folder, the
original's permissions, `os.replace`).  `--diff` prints a unified diff and
writes nothing.
"""

from __future__ import annotations

import os
import re
import stat

from .diagnostics import Edit
from .record import field, record

# --------------------------------------------------------------------------- reading lines for rules

#: absolute path -> ((device, inode, mtime, size), digest, lines)
_cache: dict[str, tuple[tuple[int, ...], str, list[str]]] = {}


def _lines(path: str) -> tuple[str, list[str]] | None:
    """(digest, lines without their line breaks) of a file, or None when it
    cannot be read as UTF-8.  Cached while the file's mtime and size stay."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    key = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
    known = _cache.get(os.path.abspath(path))
    if known is not None and known[0] == key:
        return known[1], known[2]
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    digest = fingerprint(data)
    _cache[os.path.abspath(path)] = (key, digest, lines)
    return digest, lines


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
    if _nginx_add_header(text, "Access-Control-Allow-Origin") is not None:
        insert = _VARY_NGINX
    elif _apache_header(text, "Access-Control-Allow-Origin") is not None:
        insert = _VARY_APACHE
    else:
        return ()
    if following.startswith(insert):
        return ()   # inserted before and the finding stayed: never insert twice
    indent = text[:len(text) - len(text.lstrip())]
    return (_edit(source, digest, text, len(text), len(text), f"\n{indent}{insert}"),)


# --------------------------------------------------------------------------- applying edits


class Stale(Exception):
    """The file changed since its edits were computed."""


@record
class Change:
    path: str
    before: str
    after: str
    digest: str
    edits: list[Edit]


@record
class Plan:
    """The edits one round takes, per file, and the findings they fix."""

    edits: dict[str, list[Edit]] = field(default_factory=dict)
    findings: list = field(default_factory=list)
    deferred: list = field(default_factory=list)    # fixable, but overlapping an edit taken


def _overlap(a: Edit, b: Edit) -> bool:
    """Two different edits of one line that cannot both be applied."""
    if a.line != b.line or a == b:
        return False
    if a.start == a.end and b.start == b.end:
        return a.start == b.start           # two insertions at one point: which goes first?
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


def plan(findings) -> Plan:
    out = Plan()
    digests: dict[str, str] = {}
    for finding in findings:
        edits = [e for e in dict.fromkeys(finding.edits)]
        if not edits:
            continue
        taken = [e for path in {e.path for e in edits} for e in out.edits.get(path, [])]
        if any(digests.setdefault(e.path, e.digest) != e.digest for e in edits) or \
                any(_overlap(e, t) for e in edits for t in taken):
            out.deferred.append(finding)
            continue
        for e in edits:
            bucket = out.edits.setdefault(e.path, [])
            if e not in bucket:
                bucket.append(e)
        out.findings.append(finding)
    return out


def fingerprint(data: bytes) -> str:
    """What tells one version of a file from another while corslint runs:
    Python's own hash of the bytes, SipHash keyed by a secret drawn per
    process (inherited by the forked judges).  Edits never leave the
    process, and `hashlib` would cost every lint 2-3 ms of loading OpenSSL."""
    return f"{len(data)}:{hash(data) & 0xFFFFFFFFFFFFFFFF:016x}"


def _read_exact(path: str) -> tuple[bytes, str]:
    with open(path, "rb") as fh:
        data = fh.read()
    return data, fingerprint(data)


def render(path: str, edits: list[Edit]) -> Change:
    """The file's text before and after the edits; Stale when it changed
    since they were computed."""
    try:
        data, digest = _read_exact(path)
    except OSError as exc:
        raise Stale(f"cannot read it: {exc.strerror}") from None
    if any(e.digest != digest for e in edits):
        raise Stale("it changed since it was linted")
    text = data.decode("utf-8")
    lines = text.split("\n")
    by_line: dict[int, list[Edit]] = {}
    for e in edits:
        by_line.setdefault(e.line, []).append(e)
    for number, line_edits in by_line.items():
        if not 1 <= number <= len(lines):
            raise Stale(f"it has no line {number} any more")
        line = lines[number - 1]
        cr = line.endswith("\r")
        body = line[:-1] if cr else line
        for e in sorted(line_edits, key=lambda e: (e.start, e.end), reverse=True):
            if body[e.start:e.end] != e.old:
                raise Stale(f"line {number} is not what it was")
            new = e.new.replace("\n", "\r\n") if cr else e.new
            body = body[:e.start] + new + body[e.end:]
        lines[number - 1] = body + ("\r" if cr else "")
    return Change(path, text, "\n".join(lines), digest, list(edits))


def write_atomic(change: Change) -> None:
    """Replace the file's content by `change.after`: a temporary file in
    the same folder, the original's mode (and owner where allowed), then
    `os.replace`; Stale (nothing written) when the file changed meanwhile."""
    import tempfile

    real = os.path.realpath(change.path)
    st = os.stat(real)
    folder = os.path.dirname(real) or "."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(real)}.", suffix=".corslint")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(change.after.encode("utf-8"))
            fh.flush()
            os.fchmod(fh.fileno(), stat.S_IMODE(st.st_mode))
            try:
                os.fchown(fh.fileno(), st.st_uid, st.st_gid)
            except OSError:
                pass
            os.fsync(fh.fileno())
        if _read_exact(real)[1] != change.digest:
            raise Stale("it changed while corslint was fixing it")
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def unified_diff(change: Change) -> str:
    import difflib

    def lines(text: str) -> list[str]:
        out = text.splitlines(keepends=True)
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n\\ No newline at end of file\n"
        return out

    name = change.path.replace(os.sep, "/")
    return "".join(difflib.unified_diff(lines(change.before), lines(change.after),
                                        fromfile=f"a/{name}", tofile=f"b/{name}"))


@record
class Result:
    report: object                          # the report after fixing (the first one for --diff)
    changes: dict[str, Change] = field(default_factory=dict)    # path -> first before, last after
    fixed: list = field(default_factory=list)                   # the findings fixed, as first reported
    messages: list[str] = field(default_factory=list)           # files left alone, and why
    #: per path, (line, lines inserted after it) of every edit written, in order
    inserted: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def moved(self, path: str, line: int) -> int:
        """Where a line of the file before the fix is after it (edits insert
        lines, never remove them)."""
        for after, count in self.inserted.get(path, []):
            if line > after:
                line += count
        return line

    @property
    def diff(self) -> str:
        return "".join(unified_diff(c) for c in self.changes.values() if c.before != c.after)


def run(report, relint, write: bool, rounds: int = 4) -> Result:
    """Fix what `report` offers.  write=False (`--diff`): one round, nothing
    written.  write=True: write, lint again with `relint()`, and go on while
    a round still fixes something (edits that overlapped wait a round)."""
    result = Result(report)
    for _ in range(rounds if write else 1):
        p = plan(result.report.findings)
        if not p.edits:
            break
        done_paths = set()
        for path, edits in sorted(p.edits.items()):
            try:
                change = render(path, edits)
                if write:
                    write_atomic(change)
            except Stale as exc:
                result.messages.append(f"{path}: not fixed: {exc}")
                continue
            except (OSError, UnicodeDecodeError) as exc:
                result.messages.append(f"{path}: not fixed: {exc}")
                continue
            done_paths.add(path)
            first = result.changes.get(path)
            result.changes[path] = Change(path, first.before if first else change.before, change.after,
                                          change.digest, (first.edits if first else []) + change.edits)
            inserted = result.inserted.setdefault(path, [])
            for e in sorted(edits, key=lambda e: e.line, reverse=True):
                if "\n" in e.new:
                    inserted.append((e.line, e.new.count("\n")))
        _cache.clear()      # a rewrite of the same size within one mtime tick must not look unchanged
        fixed_now = [f for f in p.findings if {e.path for e in f.edits} <= done_paths]
        result.fixed.extend(fixed_now)
        if not write or not fixed_now:
            break
        result.report = relint()
    return result
