"""`corslint --fix` / `--diff`: applying the edits rules attach (edits.py).

The edits of one file are merged (a finding's edits are applied all
together or not at all; one that overlaps an edit already taken waits for
the next round), the file is read again and left alone, with a message,
when its fingerprint changed; the result is written atomically (a temporary
file in the same folder, the original's permissions and owner, a rename:
`confine.replace`), and a file the user may not write is left alone.
`--diff` prints a unified diff and writes nothing.
"""

from __future__ import annotations

import os
import stat

from . import confine, display
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
    data = confine.read(path)
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
    """Replace the file's content by `change.after` (`confine.replace`: a
    temporary file in the same folder, the original's mode and owner, then a
    rename); Stale (nothing written) when the file changed meanwhile.  A file
    the user may not write is refused (`confine.Refused`): replacing it would
    only need the folder's permission, and would change its owner."""
    real = confine.real_path(change.path)
    st = os.stat(real)
    problem = _not_writable(real, st)
    if problem is not None:
        raise confine.Refused(problem)

    def unchanged() -> None:
        if _read_exact(real)[1] != change.digest:
            raise Stale("it changed while corslint was fixing it")

    confine.replace(real, change.after.encode("utf-8"), stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid), unchanged)


def _not_writable(real: str, st: os.stat_result) -> str | None:
    """Why the user may not rewrite the file (read-only, even for root; or
    another user's, which only root may rewrite keeping its owner), or None."""
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(real, os.W_OK):
        return (f"it is read-only (mode {stat.S_IMODE(st.st_mode):04o}); corslint does not replace a file you may "
                f"not write")
    if os.geteuid() not in (0, st.st_uid):
        return f"it belongs to another user (uid {st.st_uid}); replacing it would change its owner"
    return None


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


def run(report, relint, write: bool, rounds: int = 4, store=write_atomic) -> Result:
    """Fix what `report` offers.  write=False (`--diff`): one round, nothing
    written.  write=True: `store` each change (write the file; the standard
    input keeps it in memory, `confine.stand_in`), lint again with
    `relint()`, and go on while a round still fixes something (edits that
    overlapped wait a round)."""
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
                    store(change)
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
