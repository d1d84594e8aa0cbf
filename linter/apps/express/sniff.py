"""Which JavaScript/TypeScript files are Express CORS configuration (`kinds.KINDS["express"].sniff`).

Two kinds of file are: an app that uses the `cors` package or writes
`Access-Control-Allow-Origin` itself, and a module that exports the options
such an app passes to `cors()` (`config/corsOptions.js`, the layout of most
tutorials: `module.exports = { origin: [...], credentials: true }`).  The
second is told by its content alone (the name is not shown to a sniff): it
exports something and writes an `origin:` key beside another key of the
`cors` package's options, or names the object `corsOptions`.  An ordinary
module (`module.exports = { port: 3000 }`) and a socket.io server's
`cors: { origin }` without another cors option key are not claimed; the
loader then still checks that a CORS options object is what is exported.
"""

from __future__ import annotations

import re

_APP = re.compile(rb"""require\(\s*['"]cors['"]\s*\)|from\s+['"]cors['"]|"""
                  rb"""(?i:access-control-allow-origin)['"]?\s*[,)]""")
_EXPORTS = re.compile(rb"""(?m)\bmodule\.exports\b|\bexports\.\w+\s*=|^\s*export\s""")
_ORIGIN_KEY = re.compile(rb"""(?m)^\s*['"]?origin['"]?\s*:""")
_OTHER_KEY = re.compile(rb"""(?m)^\s*['"]?(credentials|methods|allowedHeaders|exposedHeaders|maxAge|"""
                        rb"""preflightContinue|optionsSuccessStatus)['"]?\s*:|(?i:\bcors_?options\b)""")
_SOCKET_IO = re.compile(rb"""['"]socket\.io['"]|\bnew\s+Server\s*\(""")


def uses_cors(head: bytes) -> bool:
    """The file is an app (or router) configuring CORS itself."""
    return _APP.search(head) is not None


def looks_like_app(head: bytes) -> bool:
    """The file is an Express app configuring CORS, or a module exporting cors() options."""
    return uses_cors(head) or (_EXPORTS.search(head) is not None and _ORIGIN_KEY.search(head) is not None
                               and _OTHER_KEY.search(head) is not None and _SOCKET_IO.search(head) is None)
