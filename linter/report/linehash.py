"""`partialFingerprints.primaryLocationLineHash`, computed as GitHub's
upload action (codeql-action, src/fingerprints.ts) computes it for a
result that has none: code scanning matches alerts across runs with this
value only, so a finding keeps its alert when lines are added above it.

The action hashes the file's text as JavaScript sees it (UTF-16 code units
of the UTF-8 decoded bytes): spaces and tabs are dropped everywhere, CR LF
and a lone CR become LF, an end marker (65535) follows the last character
and zeros pad the rest.  A line's hash is the polynomial hash (base 37,
modulo 2**64) of the BLOCK_SIZE characters from the line's first one on,
written in hex, then `:N` where N counts the lines of the file with that
hash so far (identical lines get `:1`, `:2`, ...).
"""

from __future__ import annotations

BLOCK_SIZE = 100
_BASE = 37
_MASK = (1 << 64) - 1
#: what a character leaving the window weighs once the next one is added
_FIRST = pow(_BASE, BLOCK_SIZE, 1 << 64)
_LF = 10
_EOF = 65535


def _units(data: bytes) -> list[int]:
    """The characters the action hashes, end marker and padding included."""
    text = data.decode("utf-8", errors="replace")
    # "\r\n" first: a CR directly followed by LF is one line break, but one
    # with a space or tab between them is two (the action drops the blank
    # after it has seen the CR)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace(" ", "").replace("\t", "")
    encoded = text.encode("utf-16-le", errors="surrogatepass")
    units = [int.from_bytes(encoded[i:i + 2], "little") for i in range(0, len(encoded), 2)]
    units.append(_EOF)
    return units + [0] * BLOCK_SIZE


def hashes(data: bytes, lines: set[int]) -> dict[int, str]:
    """{line: `hash:N`} for the 1-based `lines` of the file whose bytes are
    `data`.  The file is hashed up to the last line asked for (every line
    before it counts towards N), at most a few times its length in steps."""
    if not lines:
        return {}
    units = _units(data)
    end = len(units) - BLOCK_SIZE   # the end marker's index: the last line starts at it at the latest
    starts = [0] + [i + 1 for i in range(end) if units[i] == _LF]
    last = min(max(lines), len(starts))
    out: dict[int, str] = {}
    seen: dict[int, int] = {}
    h = 0
    line = 1
    for i, unit in enumerate(units):
        h = (h * _BASE + unit - (_FIRST * units[i - BLOCK_SIZE] if i >= BLOCK_SIZE else 0)) & _MASK
        if i == starts[line - 1] + BLOCK_SIZE - 1:     # the window holds the line's first characters
            seen[h] = seen.get(h, 0) + 1
            if line in lines:
                out[line] = f"{h:x}:{seen[h]}"
            if line == last:
                break
            line += 1
    return out
