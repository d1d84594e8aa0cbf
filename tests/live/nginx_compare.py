"""The nginx side of the model-vs-real-nginx acceptance tests: ``RawNginx``
runs a complete nginx.conf written by the test (the harness's
``NginxServer`` builds the main context itself).  The comparison itself is
``model_compare.compare``.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from .model_compare import HOSTILE, KINDS, NULL, TRUSTED_FALLBACK, compare
from .nginx_harness import NginxServer, headers_more_module

__all__ = ["HOSTILE", "KINDS", "NULL", "TRUSTED_FALLBACK", "RawNginx", "compare"]


class RawNginx(NginxServer):
    """An nginx whose whole ``nginx.conf`` comes from ``render(server)``,
    called once the port and prefix are chosen (placeholders are substituted
    afterwards).  ``render`` may also write further files into the prefix.

    The main-context lines the sandbox needs (``daemon off``, pid, error_log,
    headers-more, ``user root`` when root) are put at the top of the text;
    temp paths are put at the top of the ``http`` block."""

    def __init__(self, render: Callable[[RawNginx], str], **kwargs) -> None:
        super().__init__("", **kwargs)
        self._render = render

    def render_config(self) -> str:
        text = self._render(self)
        p = self.prefix
        main = ["daemon off;", "master_process on;", f"pid {p}/nginx.pid;", f"error_log {p}/logs/error.log info;"]
        module = headers_more_module()
        if module and "ngx_http_headers_more_filter_module" not in text:
            main.insert(0, f"load_module {module};")
        if os.geteuid() == 0:
            main.append("user root;")
        temp = "".join(f" {kind}_temp_path {p}/tmp/{kind};" for kind in
                       ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        head, sep, tail = text.partition("http {")
        if not sep:
            raise ValueError("RawNginx needs an `http {` block")
        # load_module must precede everything else in the main context
        modules = [line for line in head.splitlines() if line.strip().startswith("load_module")]
        head = "\n".join(line for line in head.splitlines() if not line.strip().startswith("load_module"))
        text = "\n".join(modules + main) + "\n" + head + sep + f" access_log {p}/logs/access.log;{temp}" + tail
        return self._substitute(text)
