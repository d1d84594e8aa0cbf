"""`corslint simulate --curl`: the call a pasted cURL command describes.

DevTools' "Copy as cURL" is how people capture the call that fails, so
simulate reads it: Chromium's format (`curl 'URL' -X 'PUT' -H 'name: value'
... -b 'cookies' --data-raw '...'`, the URL's `[]{}` escaped for curl's
globbing, `$'...'` ANSI-C quoting for values holding `'`, `!` or control
characters, lines joined by ` \\`), and a hand-written curl command alike.

What each part means to the browser:

- `Origin` is the page's origin; a `Cookie` (`-b`) means the call was
  sent with credentials; `Content-Type` and the body (`--data*`, `--json`,
  `-F`) are the body; `-X` the method (else POST with a body, HEAD with
  `-I`, GET).
- Headers the browser sends itself (`Sec-*`, `User-Agent`, `Referer`,
  `browser.is_browser_own`) stay the browser's: they replace its values,
  they never count as headers the page set.  `Host`, `Content-Length`,
  `Priority` and the transport headers a page cannot set (`Connection`,
  `TE`...) are left out: the URL and the body decide them, and nothing in a
  CORS check does.  DevTools' "Disable cache" adds `Cache-Control:
  no-cache` with `Pragma: no-cache`: that pair is the browser's, left out too.
- A copied preflight (OPTIONS with `Access-Control-Request-Method`) is
  refused: simulate sends the preflight itself from the call.

Options that change nothing the server's configuration or the CORS check
sees (`--compressed`, `--insecure`, `-s`, `-L`, `-o FILE`...) are ignored;
any other option is a usage error, since it may change the request in a way
simulate cannot model.  Nothing is run, expanded or read: `$VAR` and
`$(...)` are refused, and `-d @file` is a body whatever the file holds.
"""

from __future__ import annotations

from .browser import is_browser_own, is_forbidden_header
from .cors import ACRH, ACRM, ORIGIN
from .record import field, record

#: the longest pasted command read (a large request body included)
MAX_TEXT = 1 << 20

# curl's options by what they carry (curl's own spellings; curl has no --name=value form)
_VALUE_OPTIONS = {
    "-X": "method", "--request": "method", "-H": "header", "--header": "header", "-b": "cookie",
    "--cookie": "cookie", "-d": "data", "--data": "data", "--data-raw": "data", "--data-binary": "data",
    "--data-ascii": "data", "--data-urlencode": "data", "--json": "json", "-F": "form", "--form": "form",
    "--form-string": "form", "-A": "header:User-Agent", "--user-agent": "header:User-Agent",
    "-e": "header:Referer", "--referer": "header:Referer", "--url": "url",
    # harmless: where curl writes, how long it waits, which TLS or DNS it uses
    "-o": None, "--output": None, "-m": None, "--max-time": None, "--connect-timeout": None, "-w": None,
    "--write-out": None, "--retry": None, "-c": None, "--cookie-jar": None, "--cacert": None, "--resolve": None,
    "--connect-to": None, "-x": None, "--proxy": None,
}
#: options without a value: -I sets the method; the others change nothing simulate models
_FLAGS = {
    "-I": "head", "--head": "head",
    "--compressed": None, "-k": None, "--insecure": None, "-s": None, "--silent": None, "-S": None,
    "--show-error": None, "-v": None, "--verbose": None, "-i": None, "--include": None, "-L": None,
    "--location": None, "-f": None, "--fail": None, "--fail-with-body": None, "-g": None, "--globoff": None,
    "-N": None, "--no-buffer": None, "--http1.1": None, "--http2": None, "--http2-prior-knowledge": None,
    "--http3": None, "--path-as-is": None,
}
#: what to give simulate instead of curl options it does not read
_INSTEAD = {"-u": "--header 'Authorization: Basic ...'", "--user": "--header 'Authorization: Basic ...'",
            "-G": "the data in the URL's query", "--get": "the data in the URL's query",
            "-T": "-X PUT with --data", "--upload-file": "-X PUT with --data"}
#: what the body options send when no Content-Type is given (curl's defaults)
_BODY_OF_OPTION = {"data": "form", "json": "json", "form": "multipart"}
#: body kinds (browser.BODIES) by Content-Type essence; any other type is "text"
_BODY_OF_TYPE = {"application/json": "json", "application/x-www-form-urlencoded": "form",
                 "multipart/form-data": "multipart"}
#: the browser's own headers a copy holds that no CORS check and no modelled server reads
_LEFT_OUT = frozenset({"host", "content-length", "priority"})


@record
class Copied:
    """The call a cURL command describes, in `corslint simulate`'s terms
    (None: the command does not say)."""

    url: str
    method: str
    #: the headers the page set, then the browser's own (browser.is_browser_own), in command order
    headers: list[tuple[str, str]] = field(default_factory=list)
    origin: str | None = None
    credentials: bool = False
    #: a browser.BODIES kind
    body: str = "none"
    content_type: str | None = None


def parse(text: str) -> Copied:
    """The call `text` (one curl command) describes; ValueError says why
    it cannot be read or modelled."""
    if len(text) > MAX_TEXT:
        raise ValueError(f"the command is longer than {MAX_TEXT} characters")
    args = words(text)
    if args[:1] == ["curl"]:
        args = args[1:]
    urls: list[str] = []
    method = None
    head = False
    headers: list[tuple[str, str]] = []
    cookie = False
    sent: str | None = None
    for option, value in _options(args):
        role = _VALUE_OPTIONS.get(option, _FLAGS.get(option)) if option else "url"
        if role == "url":
            urls.append(value)
        elif role == "method":
            method = value
        elif role == "head":
            head = True
        elif role == "cookie":
            cookie = True
        elif role in _BODY_OF_OPTION:
            sent = sent or _BODY_OF_OPTION[role]
            if role == "json":      # curl --json: these two unless given
                headers[:0] = [("Content-Type", "application/json"), ("Accept", "application/json")]
        elif role == "header":
            headers.append(_header(value))
        elif role is not None:      # -A, -e
            headers.append((role.partition(":")[2], value))
    if len(urls) != 1:
        raise ValueError("no URL in the command" if not urls else "one URL at a time (the command names "
                         f"{len(urls)})")
    copied = Copied(_unglob(urls[0]), method or ("HEAD" if head else "POST" if sent else "GET"), credentials=cookie)
    _place(copied, headers, sent)
    return copied


def _options(args: list[str]):
    """(option, value) for each option of the command, (None, url) for a
    bare word; ValueError for an option simulate cannot model.  Short
    options may be bundled (`-sSL`, `-XPUT`), as curl allows."""
    rest = iter(args)
    for arg in rest:
        if not arg.startswith("-") or arg == "-":
            yield None, arg
            continue
        names = [arg] if arg.startswith("--") else [f"-{c}" for c in arg[1:]]
        for index, name in enumerate(names):
            if name in _FLAGS:
                yield name, None
                continue
            if name not in _VALUE_OPTIONS:
                instead = f"give {_INSTEAD[name]} instead" if name in _INSTEAD else \
                    "leave it out, or describe the call with simulate's own options"
                raise ValueError(f"curl option {name} is not modelled (it may change the request): {instead}")
            attached = "" if arg.startswith("--") else arg[2 + index:]
            value = attached or next(rest, None)
            if value is None:
                raise ValueError(f"curl option {name} needs a value")
            yield name, value
            break


def _header(text: str) -> tuple[str, str]:
    """`-H 'name: value'`; `name;` sends the header empty (curl's way)."""
    name, colon, value = text.partition(":")
    if not colon and name.endswith(";"):
        return name[:-1].strip(), ""
    if not colon or not name.strip():
        raise ValueError(f"-H {text!r} is no 'Name: value' header")
    return name.strip(), value.strip(" \t")


def _place(copied: Copied, headers: list[tuple[str, str]], sent: str | None) -> None:
    """Each header where `corslint simulate` takes it (see the module's docstring)."""
    lower = {name.lower(): value for name, value in headers}
    if ACRM in lower or ACRH in lower:
        raise ValueError("this is a preflight (it carries Access-Control-Request-*): copy the request that "
                         "follows it in the Network panel; simulate sends the preflight itself")
    cache_off = lower.get("cache-control") == "no-cache" and lower.get("pragma") == "no-cache"
    for name, value in headers:
        key = name.lower()
        if key == ORIGIN:
            copied.origin = value
        elif key == "cookie":
            copied.credentials = True
        elif key == "content-type":
            copied.content_type = value
        elif key in _LEFT_OUT or (cache_off and key in ("cache-control", "pragma")) or \
                (is_forbidden_header(key, value) and not is_browser_own(key)):
            continue
        else:
            copied.headers.append((name, value))
    if sent:
        essence = (copied.content_type or "").partition(";")[0].strip().lower()
        copied.body = _BODY_OF_TYPE.get(essence, "text") if copied.content_type is not None else sent


def _unglob(url: str) -> str:
    """The URL without the backslashes DevTools puts before `[]{}` (curl's
    globbing characters); a URL holds no backslash of its own."""
    for char in "[]{}":
        url = url.replace("\\" + char, char)
    return url


# --------------------------------------------------------------------------
# bash words (shlex knows neither $'...' nor a backslash-newline between words)

_ANSI_C = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
           "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}
#: \x, \u and \U take this many hex digits at most
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}
_HEX = frozenset("0123456789abcdefABCDEF")
_OCTAL = frozenset("01234567")


def words(text: str) -> list[str]:
    """The words bash makes of one command: `'...'` as written, `"..."`
    with `\\` before `"`, `\\`, `$` or a backquote, `$'...'` with ANSI-C
    escapes, a backslash outside quotes taking the next character as it
    is, and a backslash-newline joining lines.  No expansion: `$NAME`,
    `$(...)` and backquotes, or a second command (`;`, `|`, `&`), are a
    ValueError, and so is cmd.exe's `^` (DevTools' "Copy as cURL (cmd)").
    One pass over the text."""
    out: list[str] = []
    parts: list[str] | None = None
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            if parts is not None:
                out.append("".join(parts))
                parts = None
            i += 1
            continue
        if c == "\\" and text[i + 1:i + 2] in ("\n", "\r"):     # a line goes on
            i += 3 if text[i + 1:i + 3] == "\r\n" else 2
            continue
        parts = [] if parts is None else parts
        if c == "\\":
            parts.append(text[i + 1:i + 2])
            i += 2
        elif c == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise ValueError("a ' is not closed")
            parts.append(text[i + 1:end])
            i = end + 1
        elif c == "$" and text[i + 1:i + 2] == "'":
            i = _ansi_c(text, i + 2, parts)
        elif c == '"':
            i = _double_quoted(text, i + 1, parts)
        elif c in "$`":
            _refuse_expansion(text, i)
            parts.append(c)
            i += 1
        elif c in ";|&<>":
            raise ValueError(f"one curl command only (found {c!r} outside quotes)")
        elif c == "^":
            raise ValueError("this is DevTools' \"Copy as cURL (cmd)\": copy as cURL (bash) instead")
        else:
            parts.append(c)
            i += 1
    if parts is not None:
        out.append("".join(parts))
    return out


def _refuse_expansion(text: str, i: int) -> None:
    """`$NAME`, `${...}`, `$(...)` or a backquote would be expanded by the
    shell: the command holds a value corslint cannot know."""
    following = text[i + 1:i + 2]
    if text[i] == "`" or following in ("{", "(") or following.isalpha() or following == "_":
        raise ValueError(f"the command uses the shell ({text[i:i + 12]!r}...): paste it with the values "
                         "the browser sent")


def _double_quoted(text: str, i: int, parts: list[str]) -> int:
    """Read `"..."` from just after its opening quote; the index after it."""
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            return i + 1
        if c == "\\" and text[i + 1:i + 2] in ('"', "\\", "$", "`", "\n"):
            if text[i + 1] != "\n":
                parts.append(text[i + 1])
            i += 2
            continue
        if c in "$`":
            _refuse_expansion(text, i)
        parts.append(c)
        i += 1
    raise ValueError('a " is not closed')


def _ansi_c(text: str, i: int, parts: list[str]) -> int:
    """Read `$'...'` from just after its opening quote (bash's ANSI-C
    quoting, as DevTools writes values holding `'`, `!` or control
    characters); the index after it."""
    n = len(text)
    while i < n:
        c = text[i]
        if c == "'":
            return i + 1
        if c != "\\" or i + 1 >= n:
            parts.append(c)
            i += 1
            continue
        escape = text[i + 1]
        i += 2
        if escape in _ANSI_C:
            parts.append(_ANSI_C[escape])
        elif escape in _HEX_DIGITS:
            end = i
            while end < min(n, i + _HEX_DIGITS[escape]) and text[end] in _HEX:
                end += 1
            parts.append(chr(int(text[i:end], 16)) if end > i else "\\" + escape)
            i = end
        elif escape in _OCTAL:
            end = i - 1
            while end < min(n, i + 2) and text[end] in _OCTAL:
                end += 1
            parts.append(chr(int(text[i - 1:end], 8)))
            i = end
        elif escape == "c" and i < n:
            parts.append(chr(ord(text[i]) & 0x1F))
            i += 1
        else:
            parts.append("\\" + escape)
    raise ValueError("a $' is not closed")
