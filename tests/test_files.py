"""corslint.files: how a file's kind is told from its name and content."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from corslint.files import _APACHE_HINT, _looks_apache

FRAGMENTS = ["Header set X y", "header  always unset Vary", "add_header X y;", "<VirtualHost *:80>",
             "<location /x>", "RewriteEngine On", "SetEnvIf Origin x", "server {", "  ", "\t", "\r", "\n",
             "\x0c", "# Header set", "Headers", "x", "\r\n"]


@settings(max_examples=2000, derandomize=True, database=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12))
def test_the_line_start_shortcut_agrees_with_the_pattern(parts):
    head = "".join(parts).encode()
    assert _looks_apache(head) == (re.search(_APACHE_HINT, head) is not None)
