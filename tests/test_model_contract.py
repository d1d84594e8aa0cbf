"""Every lowering keeps the model contract (linter/model.py): it is a
ServerModel, its `parsed` has files, errors and notices, its answers name
their handler with a `Handler` value, and its facts are the model's fact
classes."""

from pathlib import Path

import pytest
from corslint.diagnostics import InputError
from corslint.engine import load_model
from corslint.files import classify
from corslint.model import (
    ConfiguredCors,
    DroppedHeaders,
    Handler,
    MiddlewareOrder,
    RejectedAtStartup,
    RiskyDefault,
    ServerModel,
)
from corslint.origins import Trust
from corslint.probes import ProbeContext

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
HANDLERS = {value for name, value in vars(Handler).items() if name.isupper() and isinstance(value, str)}
FACTS = (ConfiguredCors, DroppedHeaders, MiddlewareOrder, RejectedAtStartup, RiskyDefault)


def _samples():
    out = []
    for folder in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        files = sorted(p for p in folder.rglob("*") if p.is_file() and classify(str(p)))
        out.extend(files)
    return out


@pytest.mark.parametrize("path", _samples(), ids=lambda p: str(p.relative_to(SAMPLES)))
def test_lowering_keeps_the_contract(path):
    model = load_model(str(path), classify(str(path)))
    assert isinstance(model, ServerModel)
    assert model.path == str(path)
    parsed = model.parsed
    assert parsed.files[0] == str(path)
    assert all(isinstance(e, InputError) for e in [*parsed.errors, *parsed.notices])
    ctx = ProbeContext(model, Trust([]), [])
    for probe in ctx.probes:
        for answer, _method in probe.answers():
            assert answer.handler in HANDLERS, answer.handler
    assert all(isinstance(fact, FACTS) for fact in model.facts())


def test_handler_names_are_distinct():
    names = [value for name, value in vars(Handler).items() if name.isupper() and isinstance(value, str)]
    assert len(names) == len(set(names))
    assert Handler.AUTHENTICATION <= set(names)


def test_model_facts_are_looked_up_by_class():
    class Model(ServerModel):
        def scopes(self):
            return []

        def answer(self, request, *, upstream=None, files=None, client_addr=None):
            raise AssertionError("not asked")

        def facts(self):
            yield MiddlewareOrder(None, "a")
            yield RiskyDefault(None, "b")

    ctx = ProbeContext(Model(), Trust([]), [])
    assert [f.message for f in ctx.model_facts(MiddlewareOrder)] == ["a"]
    assert ctx.model_facts(RejectedAtStartup) == []
