"""`corslint --fix` / `--diff`: applying the edits rules attach (edits.py).

The edits of one file are merged (a finding's edits are applied all
together or not at all; one that overlaps an edit already taken waits for
the next round), the file is read again and left alone, with a message,
when its fingerprint changed; the result is written atomically (a temporary
file in the same folder, the original's permissions, `os.replace`).
`--diff` prints a unified diff and writes nothing.
"""

from __future__ import annotations

import os
import stat

from . import display
from .diagnostics import Edit
from .edits import fingerprint
from .edits import forget as forget_lines
from .record import field, record

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

    name = display.text(change.path.replace(os.sep, "/"))     # a header line must stay one line
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
        forget_lines()      # a rewrite of the same size within one mtime tick must not look unchanged
        fixed_now = [f for f in p.findings if {e.path for e in f.edits} <= done_paths]
        result.fixed.extend(fixed_now)
        if not write or not fixed_now:
            break
        result.report = relint()
    return result
