"""Terraform files: the templates their `templatefile(...)` calls render,
linted with every variable unknown.  A `.tf` without such a call of a
CORS configuration is not an input of corslint (no noise).  A call whose
template cannot be read is a notice at the call's line (like an include
not read): the file is linted all the same, and the gap is visible."""

from __future__ import annotations

import os
import re

from .. import confine
from ..diagnostics import InputError
from ..engine import Outcome

#: `templatefile("<path>", ...)`: a literal path, `${path.module}` allowed
_CALL = re.compile(r'templatefile\(\s*"((?:[^"\\\n]|\\.){1,1000})"')
_PATH_VARS = re.compile(r"\$\{\s*path\.(module|root|cwd)\s*\}")
#: templatefile calls followed in one file
MAX_CALLS = 100


def lint_calls(path: str, explicit: bool, kind: str | None, root: str | None, rules, make_context,
               included: set[str]) -> Outcome:
    from .run import lint_template

    try:
        text = confine.read(path).decode("utf-8", errors="replace")
    except OSError as exc:
        raise InputError(path, None, str(exc)) from None
    outcome = Outcome(path, [path])
    folder = os.path.dirname(path) or os.curdir
    for number, match in enumerate(_CALL.finditer(text)):
        line = text.count("\n", 0, match.start()) + 1
        if number >= MAX_CALLS:
            outcome.notices.append(InputError(path, line, f"more than {MAX_CALLS} templatefile calls; the rest "
                                                          f"are not read"))
            break
        spelled = _PATH_VARS.sub(folder.replace("\\", "/"), match.group(1))
        if "${" in spelled:
            outcome.notices.append(InputError(path, line, f"templatefile {match.group(1)}: not read: a path "
                                                          f"corslint cannot tell"))
            continue
        # `${path.module}/x` names a file beside this one; another relative path is the root module's
        # (the working folder's): taken beside this file too, the usual layout
        target = os.path.normpath(spelled if os.path.isabs(spelled) or spelled != match.group(1)
                                  else os.path.join(folder, spelled))
        problem = confine.unreadable(target, root or folder)
        if problem is not None:
            outcome.notices.append(InputError(path, line, f"templatefile {match.group(1)}: not read: "
                                                          f"{problem.removeprefix('cannot read: ')}"))
            continue
        try:
            rendered = lint_template(target, False, kind, root or folder, rules, make_context, included,
                                     language="terraform")
        except InputError as exc:
            outcome.errors.append(exc)
            continue
        if rendered is None:
            continue
        outcome.skipped += rendered.skipped
        if not rendered.judged:     # renders to nothing corslint reads: listed as skipped, not as linted
            continue
        outcome.judged = True
        outcome.files += [f for f in rendered.files if f not in outcome.files]
        outcome.findings += rendered.findings
        outcome.errors += rendered.errors
        outcome.notices += rendered.notices
        outcome.quiet += rendered.quiet
        outcome.mapped += rendered.mapped
    if explicit and not outcome.judged and not outcome.errors and not outcome.skipped and not outcome.notices:
        outcome.skipped.append((path, "no templatefile of a configuration corslint reads here"))
    outcome.judged = outcome.judged or bool(outcome.errors) or bool(outcome.notices)
    return outcome
