"""What the nginx and Apache models share: a server configuration, read
from files and lowered, that answers each request through its format's
evaluator.

An evaluator consults a backend and a disk on every request, so the
contract's None (`ServerModel.answer`: the backend is unknown, the files
are as the configuration finds them) becomes `backend.UNKNOWN_UPSTREAM`
and `backend.DEFAULT_FILES` here, once for both formats.
"""

from __future__ import annotations

from abc import abstractmethod

from .backend import DEFAULT_FILES, UNKNOWN_UPSTREAM, FileOracle, Upstream
from .model import Answer, Parsed, Request, Scope, ServerModel


class ConfigModel(ServerModel):
    """The lowered configuration `conf` of the root file `path`, with what
    reading it gave (`parsed`: the files read, errors, notices)."""

    #: values assumed for variables set outside the linted files (nginx/unknowns.py, apache/unknowns.py)
    assumed: dict = {}
    #: (condition, model) per combination of those values (linter/alternatives.py); empty when none is tested
    alternatives: list = []

    def __init__(self, path: str, conf, parsed: Parsed):
        self.path = path
        self.conf = conf
        self.parsed = parsed
        self._scopes: list[Scope] | None = None

    def assuming(self, values: dict) -> ConfigModel:
        """This model with `values` for the variables set outside the files
        (the same configuration, its own scopes)."""
        import copy

        variant = copy.copy(self)
        variant.assumed, variant.alternatives, variant._scopes = values, [], None
        return variant

    def answer(self, request: Request, *, upstream: Upstream | None = None, files: FileOracle | None = None,
               client_addr: str | None = None) -> Answer:
        return self.evaluate(request, UNKNOWN_UPSTREAM if upstream is None else upstream,
                             DEFAULT_FILES if files is None else files, client_addr)

    @abstractmethod
    def evaluate(self, request: Request, upstream: Upstream, files: FileOracle, client_addr: str | None) -> Answer:
        """`answer`, by the format's evaluator, with the backend and the
        disk described (client_addr None: unknown)."""
