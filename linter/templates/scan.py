"""Cutting a template's text at its tags, linearly (untrusted input: a
tag is found with `str.find`, never a backtracking pattern)."""

from __future__ import annotations

import re

from ..diagnostics import InputError
from .tree import TEXT

#: tags in one file past which the template is an input error
MAX_TAGS = 100_000


def tags(path: str, text: str, delimiters: dict[str, str], classify):
    """The items of a template: text between tags as TEXT items and, for
    each tag (an opener of `delimiters` up to its closer), what
    `classify(opener, inner, raw, line)` makes of it (an item, or None for
    literal text).  An unterminated tag is an InputError at its line."""
    opener = re.compile("|".join(re.escape(o) for o in sorted(delimiters, key=len, reverse=True)))
    pos = 0
    line = 1
    count = 0
    while True:
        match = opener.search(text, pos)
        if match is None:
            break
        start = match.start()
        closer = delimiters[match.group()]
        end = text.find(closer, match.end())
        tag_line = line + text.count("\n", pos, start)
        if end < 0:
            raise InputError(path, tag_line, f"template tag {match.group()} is never closed with {closer}")
        end += len(closer)
        count += 1
        if count > MAX_TAGS:
            raise InputError(path, tag_line, f"more than {MAX_TAGS:,} template tags")
        raw = text[start:end]
        item = classify(match.group(), text[match.end():end - len(closer)], raw, tag_line)
        if start > pos:
            yield (TEXT, text[pos:start], line, None)
        if item is None:
            yield (TEXT, raw, tag_line, None)
        else:
            yield item
        line = tag_line + raw.count("\n")
        pos = end
    if pos < len(text):
        yield (TEXT, text[pos:], line, None)
