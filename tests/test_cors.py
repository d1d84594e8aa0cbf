"""The CORS facts module: one reading of Access-Control-Max-Age for the
browser model (`simulate`) and CORS303."""

import pytest
from corslint.cors import CHROMIUM_MAX_AGE_CAP, max_age_seconds
from corslint.model import HeaderLine, Source
from corslint.rules import find


@pytest.mark.parametrize("value, seconds", [
    ("600", 600),
    ("0", 0),
    ("007200", 7200),                     # leading zeros
    ("-0", 0),
    ("+5", 5),                            # base::StringToInt64 takes a plus sign
    ("-1", -1),
    (" \t600\t ", 600),                   # HTTP tabs and spaces are trimmed
    ("600\n", None),                      # other whitespace is not
    ("\u00a0600", None),
    ("6 00", None),
    ("5.5", None),
    ("1d", None),
    ("abc", None),
    ("", None),
    ("-", None),
    ("+", None),
    ("--5", None),
    ("+-5", None),
    ("\u0661\u0662\u0660", None),         # Arabic-Indic digits are not ASCII digits
    ("\u00b2", None),                     # nor is a superscript two
    ("600, 600", None),                   # two header lines
    (str(2**63 - 1), 2**63 - 1),          # the largest int64
    (str(2**63), None),                   # past it: unparseable, not capped
    (str(-2**63), -2**63),
    (str(-2**63 - 1), None),
    ("99999999999999999999", None),
])
def test_max_age_seconds(value, seconds):
    assert max_age_seconds(value) == seconds


class _Lines:
    """The one thing CORS303 asks its context: the configured Max-Age lines."""

    def __init__(self, value):
        self.line = HeaderLine("access-control-max-age", value, Source("api.conf", 3))

    def config_header_lines(self, *names):
        yield None, None, self.line


def _messages(value):
    return [hit.message for hit in find("CORS303").check(_Lines(value))]


@pytest.mark.parametrize("value, expected", [
    ("600", []),
    ("+600", []),
    ("007200", []),
    ("-1", ["Access-Control-Max-Age -1 is negative: not valid per the Fetch standard (use 0 to disable caching)"]),
    ("--5", ["Access-Control-Max-Age '--5' is not a number: browsers fall back to 5 seconds"]),
    ("\u0661\u0662\u0660", ["Access-Control-Max-Age '\u0661\u0662\u0660' is not a number: browsers fall back to 5 "
                            "seconds"]),
    ("99999999999999999999", ["Access-Control-Max-Age '99999999999999999999' is not a number: browsers fall back "
                              "to 5 seconds"]),
    (" 86400 ", ["Access-Control-Max-Age 86400 exceeds what browsers honour: Chromium caps it at 7200 s, "
                 "Firefox at 86400 s"]),
])
def test_cors303_reads_max_age_as_browsers_do(value, expected):
    assert _messages(value) == expected


def test_cors303_fix_clamps_to_chromium_cap():
    hit = next(find("CORS303").check(_Lines("86400")))
    assert hit.fix == f"use {CHROMIUM_MAX_AGE_CAP}"
