"""Judging a file whose meaning depends on a fact the repository does not
settle: the Express major version when no package.json names it, nginx
variables set outside the linted files (nginx/unknowns.py).

Unknown is a value to explore, not a default to assume: the loader returns
one model per possible value (`model.alternatives`: (condition, model)
pairs, e.g. ("if the app runs Express 5", model), ("when $cors is 'true'
(set outside these files)", model)), each is judged, and the
findings are merged.  A finding that holds under every alternative where the
application starts is reported plainly; one that holds under some only says
under which ("if the app runs Express 5: ...").  A startup refusal (CORS502)
is weighed against every alternative: when it depends only on the unknown
value it is at most a warning, because the repository may well pin the
version that starts.  Findings of an alternative where the application never
starts are its refusal alone: its CORS options are judged where it starts.
"""

from __future__ import annotations

from .diagnostics import SEVERITY_RANK, Finding, InputError

#: the rule whose findings are startup refusals
STARTUP = "CORS502"
#: at most this many combinations of unknown values are judged; further unknowns stay undecided
MAX_VARIANTS = 8


def explore(model, unknown: dict[str, list], label, phrase, where: str | None = "set outside these files") -> None:
    """Give `model` one alternative per combination of the `unknown` values
    (name -> the values worth judging, each name's `label(name)` shown as
    `phrase(label, value)`: "when $cors is 'true' (`where`)", no parenthesis
    when `where` is None), built by
    `model.assuming({name: value})`.  Past MAX_VARIANTS combinations the
    remaining names are left undecided, and a notice names them."""
    combos: list[dict] = [{}]
    left_out = []
    for name, values in unknown.items():
        if len(combos) * len(values) > MAX_VARIANTS:
            left_out.append(label(name))
            continue
        combos = [{**combo, name: value} for combo in combos for value in values]
    if left_out:
        model.parsed.notices.append(InputError(
            model.path, None, f"{', '.join(left_out)}: set outside these files, and judging every value would take "
                              f"more than {MAX_VARIANTS} combinations: conditions on them are taken as false"))
    if combos != [{}]:
        model.alternatives = [
            ("when " + " and ".join(phrase(label(name), value) for name, value in values.items())
             + (f" ({where})" if where else ""), model.assuming(values)) for values in combos]


def judge_alternatives(model, judge, rules, make_context) -> tuple[list[Finding], list[InputError]]:
    """`judge` (engine.judge) run on each of `model.alternatives`, merged as
    the module's docstring says."""
    judged = []
    errors: list[InputError] = []
    for condition, alternative in model.alternatives:
        findings, alt_errors = judge(alternative, rules, make_context)
        errors += [e for e in alt_errors if all(str(e) != str(known) for known in errors)]
        judged.append((condition, getattr(alternative, "starts", True), findings))   # a server configuration starts
    starting = [i for i, (_c, starts, _f) in enumerate(judged) if starts] or list(range(len(judged)))
    holds: dict[tuple, list[int]] = {}
    first: dict[tuple, Finding] = {}
    for index, (_condition, _starts, findings) in enumerate(judged):
        for finding in findings:
            if finding.code != STARTUP and index not in starting:
                continue
            key = (finding.code, finding.path, finding.line, finding.message)
            first.setdefault(key, finding)
            if index not in holds.setdefault(key, []):
                holds[key].append(index)
    merged = []
    for key, finding in first.items():
        universe = range(len(judged)) if finding.code == STARTUP else starting
        where = holds[key]
        if all(i in where for i in universe):
            merged.append(finding)
            continue
        conditions = " or ".join(judged[i][0] for i in where)
        finding.message = f"{conditions}: {finding.message}"
        if finding.code == STARTUP and SEVERITY_RANK[finding.severity] > SEVERITY_RANK["warning"]:
            finding.severity = "warning"
        merged.append(finding)
    return merged, errors
