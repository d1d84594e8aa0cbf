"""Express route paths, the way each major version's path-to-regexp reads them.

Express 4 uses path-to-regexp 0.1.x: `*` is a wildcard, `:id?` an optional
parameter, other characters are mostly regex.  Express 5 (router 2.x) uses
path-to-regexp 8: `*name` and `{...}` replace them, and `*` alone, `?`,
`+`, `(`, `)`, `[`, `]`, `!` make the path throw when the route is
registered, so the application never starts (CORS502).  A bare
`'/{*splat}'` under Express 4 is a literal path that no request matches.
Both versions match case-insensitively and accept one trailing slash.
"""

from __future__ import annotations

import re

from ... import saferegex
from ...code.javascript import JsRegex, compile_regex


class PathError(Exception):
    """Express 5 refuses the path when the route is registered."""


class Matcher:
    """Whether a request path reaches a layer, and what it strips (for `use`)."""

    def __init__(self, regex: re.Pattern | None, everything: bool = False):
        self.regex = regex
        self.everything = everything

    def match(self, path: str) -> str | None:
        """The matched prefix, or None."""
        if self.everything:
            return ""
        if self.regex is None:
            return None
        found = self.regex.search(path)   # Express runs `regexp.exec(path)`: a search
        return None if found is None else found.group(0)


def compile_path(pattern, version: int, end: bool) -> Matcher:
    """A matcher for a string, regex or array path; raises PathError (Express 5)."""
    if pattern is None or (not end and pattern == "/"):
        return Matcher(None, everything=True)
    if isinstance(pattern, list):
        parts = [compile_path(p, version, end) for p in pattern]
        if any(p.everything for p in parts):
            return Matcher(None, everything=True)
        sources = [p.regex.pattern for p in parts if p.regex is not None]
        return Matcher(saferegex.compile("|".join(f"(?:{s})" for s in sources), re.IGNORECASE) if sources else None)
    if isinstance(pattern, JsRegex):
        return Matcher(compile_regex(pattern.pattern, pattern.flags))
    source = _v4_source(pattern, end) if version == 4 else _v5_source(pattern, end)
    try:
        return Matcher(saferegex.compile(source, re.IGNORECASE))
    except re.error:
        return Matcher(None)


_V4_TOKEN = re.compile(r"\\.|(/)?(\.)?:(\w+)(\(.*?\))?(\*)?(\?)?|[.*]|/\(")


def _v4_source(path: str, end: bool) -> str:
    """path-to-regexp 0.1.x `pathToRegexp(path, keys, {end, strict: false})`, as a regex."""
    backtrack = ""
    pos = 0

    def replace(m: re.Match) -> str:
        nonlocal backtrack, pos
        match = m.group(0)
        slash, fmt, _key, capture, star, optional = m.groups()
        if match[0] == "\\":
            backtrack += match
            pos += 2
            return match
        if match == ".":
            backtrack += "\\."
            pos += 1
            return "\\."
        if slash or fmt:
            backtrack = ""
        else:
            backtrack += path[pos:m.start()]
        pos = m.end()
        if match == "*":
            backtrack = ""
            return "(.*)"
        if match == "/(":
            backtrack += "/"
            return "/(?:"
        fmt_re = "\\." if fmt else ""
        if capture:
            capture = re.sub(r"\\.|\*", lambda x: "(.*)" if x.group(0) == "*" else x.group(0), capture, count=1)
        else:
            capture = f"((?:(?!/|{backtrack}).)+?)" if backtrack else f"([^/{fmt_re}]+?)"
        result = "(?:" + fmt_re + (slash or "") + capture + (f"((?:[/{fmt_re}].+?)?)" if star else "") + ")" + \
            (optional or "")
        backtrack = ""
        return result

    source = _V4_TOKEN.sub(replace, path)
    source += "?" if source.endswith("/") else "/?"
    if end:
        source += "$"
    elif not source.endswith("/"):
        source += "(?=/|$)"
    return "^" + _js_to_python(source)


def _js_to_python(source: str) -> str:
    compiled = compile_regex(source, "i")
    return compiled.pattern if compiled is not None else source


def _v5_source(path: str, end: bool) -> str:
    """path-to-regexp 8 `pathToRegexp(loosen(path), {end, trailing: true})`, as a regex."""
    if path != "/":
        path = path.rstrip("/") or path
    source = "^(?:" + _v5_regex(_v5_parse(path)) + ")(?:/$)?"
    return source + ("$" if end else "(?=/|$)")


def _v5_parse(path: str) -> list:
    """Tokens: ("text", s), ("param", name), ("wildcard", name), ("group", [...])."""
    index = 0

    def until(end: str) -> list:
        nonlocal index
        out: list = []
        text = ""
        while index < len(path):
            ch = path[index]
            index += 1
            if ch == end:
                if text:
                    out.append(("text", text))
                return out
            if ch == "\\":
                if index == len(path):
                    raise PathError(f"Unexpected end after \\ at index {index}")
                text += path[index]
                index += 1
                continue
            if ch in ":*":
                m = re.match(r'[$_A-Za-z][$\w]*|"(?:[^"\\]|\\.)*"', path[index:])
                if not m:
                    raise PathError(f"Missing parameter name at index {index}")
                index += m.end()
                if text:
                    out.append(("text", text))
                    text = ""
                out.append(("param" if ch == ":" else "wildcard", m.group(0).strip('"')))
                continue
            if ch == "{":
                if text:
                    out.append(("text", text))
                    text = ""
                out.append(("group", until("}")))
                continue
            if ch in "}()[]+?!":
                raise PathError(f"Unexpected {ch} at index {index - 1}")
            text += ch
        if end:
            raise PathError(f"Unexpected end at index {index}, expected {end}")
        if text:
            out.append(("text", text))
        return out

    return until("")


def _v5_regex(tokens: list) -> str:
    """The tokens as one regex.  path-to-regexp 8 flattens optional groups
    into one alternative per combination, each group absent before present;
    a lazy optional `(?:...)??` tries them in that same order, so the first
    match is the same, without 2^groups alternatives (`{/a}{/b}`... 30 times
    would be a billion)."""
    parts = []
    for kind, value in tokens:
        if kind == "text":
            parts.append(re.escape(value))
        elif kind == "group":
            parts.append(f"(?:{_v5_regex(value)})??")
        else:
            parts.append("([^/]+)" if kind == "param" else r"([\s\S]+)")
    return "".join(parts)


def example(pattern) -> str | None:
    """A concrete path for a route pattern of either version, or None for a regex."""
    from ..base import example_path

    if not isinstance(pattern, str):
        return None
    text = re.sub(r"\{/?\*[^}]*\}", "", pattern)        # optional wildcard groups: leave them out
    text = re.sub(r"\{([^}]*)\}", r"\1", text)           # other optional groups: take them
    text = re.sub(r"\*[A-Za-z_$][\w$]*", "x", text)     # Express 5 named wildcards
    text = re.sub(r"\(.*?\)", "", text)                  # Express 4 parameter regexes
    text = text.replace("?", "")
    return example_path(text or "/")


#: characters that stand for themselves in a path of either version (what a
#: literal head may hold: letters fold case, as the matchers do)
_PLAIN = re.compile(r"[A-Za-z0-9_~%/-]*")


def literal_head(pattern, version: int, end: bool) -> str | None:
    """The literal text every path this pattern matches starts with, for
    routeindex.PathIndex (a trailing `/` ends a whole segment); None when it may
    match any path (a regex, an array, every path)."""
    if not isinstance(pattern, str) or (not end and pattern == "/"):
        return None
    text = (pattern.rstrip("/") or pattern) if version == 5 else pattern
    if version == 4 and "|" in text:    # a 4.x path is a regex source: `|` splits all of it
        return None
    head = _PLAIN.match(text).group(0)
    if head == text:    # all literal: the match ends at a `/` or at the end of the path
        return head.rstrip("/") + "/"
    if version == 4:
        following = text[len(head)]
        if following in "?+{":              # quantifies the character before it
            head = head[:-1]
        elif following in ".(" and head.endswith("/"):    # `/.:ext`, `/(x)?` may drop that `/`
            head = head[:-1]
        elif following == ":" and head.endswith("/"):     # only an optional `/:id?` drops it (path-to-regexp 0.1)
            param = _V4_PARAM.match(text, len(head))
            if param is None or param.group(1):
                head = head[:-1]
    return head


#: a 4.x named parameter as path-to-regexp 0.1 reads it: `:name`, a `(capture)`, `*`, then `?` (optional:
#: only then is the `/` before it optional too)
_V4_PARAM = re.compile(r":\w+(?:\(.*?\))?\*?(\?)?")
