"""Value classes declared by their annotations, without `dataclasses`.

corslint runs as a pre-commit hook, so its start-up is paid on every
commit.  Importing `dataclasses` imports `inspect` (and with it `ast`,
`dis`, `tokenize`): about 7 ms, and each decorated class costs another
0.3 ms of code generation; together a third of the time a one-file lint may
take.  corslint's value classes need only the core of a dataclass, which
`record` provides (compiling `__init__` only for a class a run builds
often, see `_lazy_init`):

* `__init__(self, field, ..., field=default)` from the annotations, in
  order; a default may be `field(default_factory=list)` or
  `field(default=None, repr=False, compare=False)`; `__post_init__`, when
  the class defines one, runs last;
* `__repr__` and `__eq__` over the fields (minus `repr=False` /
  `compare=False` ones);
* `frozen=True`: assignment raises `FrozenInstanceError` and instances hash
  by their compared fields; otherwise instances are unhashable, as with
  `@dataclass`.

`replace(obj, **changes)` is `dataclasses.replace`.  Instances keep a
`__dict__`, so `functools.cached_property` works on frozen records too.
"""

from __future__ import annotations

from operator import attrgetter

__all__ = ["FrozenInstanceError", "field", "record", "replace"]

_MISSING = object()


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record."""


class _Field:
    __slots__ = ("default", "default_factory", "repr", "compare")

    def __init__(self, default, default_factory, repr, compare):  # noqa: A002 - dataclasses' names
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare


def field(*, default=_MISSING, default_factory=_MISSING, repr=True, compare=True):  # noqa: A002
    """A field's default and whether it shows in repr / takes part in ==."""
    return _Field(default, default_factory, repr, compare)


def _fields(cls) -> list[tuple[str, _Field]]:
    """(name, field) per annotation of the class and its record bases, in
    definition order; class attributes holding plain values are defaults."""
    out: dict[str, _Field] = {}
    for base in reversed(cls.__mro__[1:]):
        out.update(getattr(base, "__record_fields__", {}))
    for name in cls.__dict__.get("__annotations__", {}):
        value = cls.__dict__.get(name, _MISSING)
        out[name] = value if isinstance(value, _Field) else _Field(value, _MISSING, True, True)
    return list(out.items())


def _frozen_setattr(self, name, value):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self, name):
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _init_source(cls, frozen: bool) -> tuple[str, dict[str, object]]:
    """The source of `__init__` and the names it needs."""
    namespace: dict[str, object] = {"_MISSING": _MISSING, "_setattr": object.__setattr__}
    params, body = [], []
    assign = "_setattr(self, {0!r}, {1})" if frozen else "self.{0} = {1}"
    for name, spec in cls.__record_fields__.items():
        if spec.default_factory is not _MISSING:
            namespace[f"_factory_{name}"] = spec.default_factory
            params.append(f"{name}=_MISSING")
            value = f"_factory_{name}() if {name} is _MISSING else {name}"
        elif spec.default is not _MISSING:
            namespace[f"_default_{name}"] = spec.default
            params.append(f"{name}=_default_{name}")
            value = name
        else:
            params.append(name)
            value = name
        body.append(assign.format(name, value))
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    return f"def __init__(self, {', '.join(params)}):\n    " + ("\n    ".join(body) or "pass") + "\n", namespace


#: instantiations of a class served by the generic `__init__` before one is
#: compiled for it: compiling costs 0.1 ms, the generic one 2 us a call more
COMPILE_AFTER = 64


def _generic_init(cls, self, args: tuple, kwargs: dict) -> None:
    """What the compiled `__init__` does, by looping over the fields."""
    fields = cls.__record_fields__
    if len(args) > len(fields):
        raise TypeError(f"{cls.__name__}() takes {len(fields)} positional arguments but {len(args)} were given")
    values = dict(zip(fields, args))
    for name, value in kwargs.items():
        if name not in fields:
            raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {name!r}")
        if name in values:
            raise TypeError(f"{cls.__name__}() got multiple values for argument {name!r}")
        values[name] = value
    state = self.__dict__       # frozen or not: fields live in the instance dict
    for name, spec in fields.items():
        if name in values:
            state[name] = values[name]
        elif spec.default_factory is not _MISSING:
            state[name] = spec.default_factory()
        elif spec.default is not _MISSING:
            state[name] = spec.default
        else:
            raise TypeError(f"{cls.__name__}() missing required argument: {name!r}")
    if hasattr(cls, "__post_init__"):
        self.__post_init__()


def _lazy_init(cls, frozen: bool):
    """The class's `__init__` until it has been called COMPILE_AFTER times:
    then it compiles the real one and steps aside, so a class a run builds
    a few times (or never) costs no compilation, and one it builds by the
    thousand gets the fast `__init__`."""
    calls = 0

    def __init__(self, *args, **kwargs):
        nonlocal calls
        calls += 1
        if calls <= COMPILE_AFTER:
            return _generic_init(cls, self, args, kwargs)
        source, namespace = _init_source(cls, frozen)
        exec(source, namespace)  # noqa: S102 - generated from the class's own field names
        init = namespace["__init__"]
        init.__qualname__ = f"{cls.__qualname__}.__init__"
        cls.__init__ = init
        return init(self, *args, **kwargs)
    return __init__


def _build(cls, frozen: bool):
    fields = _fields(cls)
    seen_default = False
    for name, spec in fields:
        has_default = spec.default is not _MISSING or spec.default_factory is not _MISSING
        if seen_default and not has_default:
            raise TypeError(f"{cls.__name__}: field {name!r} without a default follows one with a default")
        seen_default = seen_default or has_default
    cls.__record_fields__ = dict(fields)
    shown = tuple(name for name, spec in fields if spec.repr)
    compared = tuple(name for name, spec in fields if spec.compare)
    key = attrgetter(*compared) if len(compared) > 1 else \
        (lambda obj, name=compared[0]: (getattr(obj, name),)) if compared else (lambda obj: ())

    def __repr__(self):
        return f"{type(self).__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in shown)})"

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return key(self) == key(other)

    cls.__init__ = _lazy_init(cls, frozen)
    cls.__repr__ = __repr__
    cls.__eq__ = __eq__
    if frozen:
        cls.__hash__ = lambda self: hash(key(self))
        cls.__setattr__ = _frozen_setattr
        cls.__delattr__ = _frozen_delattr
    else:
        cls.__hash__ = None
    for name, spec in fields:   # as dataclasses leaves them: plain defaults as class attributes
        if isinstance(cls.__dict__.get(name), _Field):
            if spec.default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
    return cls


def record(cls=None, /, *, frozen: bool = False):
    """Class decorator: `@record` or `@record(frozen=True)`."""
    if cls is None:
        return lambda c: _build(c, frozen)
    return _build(cls, frozen)


def replace(obj, /, **changes):
    """A copy of a record with some fields changed (runs `__init__` again)."""
    values = {name: getattr(obj, name) for name in obj.__record_fields__}
    values.update(changes)
    return type(obj)(**values)
