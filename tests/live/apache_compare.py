"""Shared pieces of the Apache model-vs-real-Apache acceptance tests.

``compare`` is ``model_compare.compare`` with Apache's idle percentage
(``%{X}i``) masked; ``Allow`` is left out on purpose: Apache varies the
order of its tokens between responses.

``ConfApache`` is an ``ApacheServer`` that also writes files into its prefix
(``conf-available/`` snippets a sample includes relative to ServerRoot)
before the configuration is checked, so Apache and the model resolve the same
``Include`` lines.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import partial

from corslint.apache import alias, sections
from corslint.apache.evaluate import Evaluation
from corslint.backend import Upstream as ModelUpstream
from corslint.model import Request

from . import model_compare
from .apache_harness import ApacheServer
from .model_compare import CLIENT_ADDR, HOSTILE, KINDS, NULL, ON_DISK, TRUSTED_FALLBACK

__all__ = ["CLIENT_ADDR", "HOSTILE", "KINDS", "NULL", "ON_DISK", "TRUSTED_FALLBACK", "ConfApache", "compare",
           "cors_view", "differences", "file_for"]

#: mod_headers' `%{X}i` is the server's idle percentage ("i=93"), which the
#: model cannot know and writes as "i=<idle percentage>": compared by prefix
_IDLE = re.compile(r"\bi=(?:\d+|<idle percentage>)")


def _without_idle(value: str) -> str:
    return _IDLE.sub("i=<idle>", value)


cors_view = partial(model_compare.cors_view, normalize=_without_idle)
compare = partial(model_compare.compare, normalize=_without_idle)
differences = partial(model_compare.differences, normalize=_without_idle)


def file_for(model, url: str) -> str:
    """The file Apache maps `url` to (Alias, else DocumentRoot), as the model
    sees it: where a test puts the file a probe path names."""
    evaluation = Evaluation(model.conf, Request("GET", url), ModelUpstream(), ON_DISK, CLIENT_ADDR,
                            model.htaccess_files)
    evaluation.host = sections.select_vhost(evaluation)
    return alias.map_to_file(evaluation)


class ConfApache(ApacheServer):
    """An ``ApacheServer`` that first writes ``prefix_files`` (prefix-relative
    path -> text, placeholders substituted) into its ServerRoot."""

    def __init__(self, site_config: str, prefix_files: Mapping[str, str] | None = None, **kwargs) -> None:
        super().__init__(site_config, **kwargs)
        self.prefix_files = dict(prefix_files or {})

    def render_config(self) -> str:
        # called once the port is chosen, right before `apache2 -t`
        for rel, text in self.prefix_files.items():
            path = os.path.join(self.prefix, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(self._substitute(text))
        return super().render_config()
