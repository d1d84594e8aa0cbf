"""Whether PCRE2 refuses a pattern, in PCRE2's own words.

nginx and Apache compile their `location ~`, `map`, `if`, `server_name`,
`rewrite`, `SetEnvIf`, `RewriteCond`, `<LocationMatch>`... patterns with
PCRE2 when they load the configuration, and a pattern it refuses stops the
server (`nginx -t`: `pcre2_compile() failed: missing closing parenthesis in
"..."`).  Python's `re` is no judge of that: it refuses PCRE syntax the
servers accept (`\\K`, `(*UTF)`, `\\g{1}`, `(?|...)`, ...), so a pattern
`regexes.compile_pcre` cannot translate is not an input error.  The verdict
comes from the library the servers link, libpcre2-8, called through ctypes;
where that library is not installed there is no verdict (None), never a
guess from another engine.
"""

from __future__ import annotations

from functools import lru_cache

#: where the library is found on Linux (the servers' own runtime) and macOS
_NAMES = ("libpcre2-8.so.0", "libpcre2-8.so", "libpcre2-8.0.dylib", "libpcre2-8.dylib")
#: pcre2.h: PCRE2_CASELESS
CASELESS = 0x00000008
#: pcre2.h: PCRE2_DUPNAMES, which httpd's ap_regcomp always sets (a group name may repeat)
DUPNAMES = 0x00000040
#: a pattern quoted in a message is cut here: a hostile one may be megabytes long
SHOWN = 200
_unloaded = object()
_library = _unloaded


def _load():
    """libpcre2-8 with the three functions typed, or None; loaded once."""
    global _library
    if _library is _unloaded:
        import ctypes

        _library = None
        for name in _NAMES:
            try:
                lib = ctypes.CDLL(name)
            except OSError:
                continue
            lib.pcre2_compile_8.restype = ctypes.c_void_p
            lib.pcre2_compile_8.argtypes = (ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint32,
                                            ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_size_t),
                                            ctypes.c_void_p)
            lib.pcre2_code_free_8.argtypes = (ctypes.c_void_p,)
            lib.pcre2_get_error_message_8.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t)
            _library = lib
            break
    return _library


@lru_cache(maxsize=4096)
def refusal(pattern: str, options: int = 0) -> tuple[str, int] | None:
    """(PCRE2's message, the byte offset it stopped at) when pcre2_compile
    refuses `pattern`; None when it compiles it, or no libpcre2 is here."""
    lib = _load()
    if lib is None:
        return None
    import ctypes

    data = pattern.encode("utf-8", "surrogateescape")
    code, offset = ctypes.c_int(0), ctypes.c_size_t(0)
    compiled = lib.pcre2_compile_8(data, len(data), options, ctypes.byref(code), ctypes.byref(offset), None)
    if compiled:
        lib.pcre2_code_free_8(compiled)
        return None
    buffer = ctypes.create_string_buffer(256)
    lib.pcre2_get_error_message_8(code.value, buffer, len(buffer))
    return buffer.value.decode("utf-8", "replace"), offset.value


#: ngx_conf_read_token's escapes in every word, quoted or not (`\\(` reaches PCRE2 as `\(`)
_NGINX_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "t": "\t", "r": "\r", "n": "\n"}


def nginx_message(pattern: str, ignore_case: bool = False) -> str | None:
    """What `nginx -t` says of a pattern PCRE2 refuses (ngx_regex_compile's
    words: `at "..."` names the rest of the pattern from where PCRE2 stopped,
    unless it stopped at the end); None for a pattern it compiles.  The
    pattern is the word as written (crossplane keeps its backslashes); nginx
    compiles it with its escapes resolved."""
    pattern = _unescaped(pattern, _NGINX_ESCAPES)
    refused = refusal(pattern, CASELESS if ignore_case else 0)
    if refused is None:
        return None
    message, offset = refused
    data = pattern.encode("utf-8", "surrogateescape")
    said = f'pcre2_compile() failed: {message} in "{_shown(pattern)}"'
    if offset < len(data):
        said += f' at "{_shown(data[offset:].decode("utf-8", "surrogateescape"))}"'
    return said


def _unescaped(word: str, escapes: dict[str, str]) -> str:
    """`word` with each backslash escape in `escapes` resolved, left to right
    as the server's tokenizer does (any other backslash stays)."""
    if "\\" not in word:
        return word
    out, i = [], 0
    while i < len(word):
        if word[i] == "\\" and word[i + 1:i + 2] in escapes:
            out.append(escapes[word[i + 1]])
            i += 2
        else:
            out.append(word[i])
            i += 1
    return "".join(out)


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN else text[:SHOWN] + "..."


#: httpd's substring_conf: a doubled backslash is one
_APACHE_ESCAPES = {"\\": "\\"}


def apache_message(words: str, pattern: str, ignore_case: bool = False) -> str | None:
    """What `apache2 -t` says of a pattern PCRE2 refuses: httpd's words for
    the directive (`SetEnvIf regex could not be compiled.`), which do not
    say why, then PCRE2's reason; None for a pattern it compiles.  httpd's
    argument reader resolves `\\\\` to `\\` in every word (`\\"` in quotes is
    already resolved by corslint's reader), so `\\\\(` reaches PCRE2 as `\\(`."""
    pattern = _unescaped(pattern, _APACHE_ESCAPES)
    refused = refusal(pattern, DUPNAMES | (CASELESS if ignore_case else 0))
    if refused is None:
        return None
    return f"{words} (PCRE2: {refused[0]} at offset {refused[1]} of \"{_shown(pattern)}\")"
