"""`python -m corslint`."""

from .cli import entry

entry()
