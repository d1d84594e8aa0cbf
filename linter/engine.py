"""A lint run: files -> server models -> rules -> findings.

Each stage has one home (design.md): `files` classifies, the per-format
packages parse and lower, `probes` questions the model, the rule modules
judge, and this module only wires them together and applies the user's
selection and suppressions.  `walk` is the part `corslint surface` shares:
it judges each model with another check (surface/collect.py's `Survey`)
whose hits carry their result as `data`.
"""

from __future__ import annotations

import gc
import os
import re

from .config import Settings
from .confine import exists, forget_paths, read, unreadable
from .diagnostics import SEVERITY_RANK, Finding, InputError
from .display import shown_path
from .files import expand, explicit_kind, recognise, template_candidate, template_markup
from .kinds import KINDS, load_function
from .record import field, record
from .saferegex import BUDGET_SPENT, RegexBudgetSpent, RegexTimeout, new_budget


@record
class Report:
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    files: int = 0
    #: the files the judged models read, roots first (JSON `read`: which files a run covered)
    read: list[str] = field(default_factory=list)
    unused_suppressions: list = field(default_factory=list)
    #: (path, reason): inputs deliberately not linted (links out of the tree, includes outside the root,
    #: templates that render to nothing corslint reads)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: what a linted file could not read (an include missing, outside the root,
    #: unmapped), at its line: the file was linted all the same (--strict: errors)
    notices: list[InputError] = field(default_factory=list)
    #: well-known system files (mime.types) included but not in the repository -> includes
    quiet: dict[str, int] = field(default_factory=dict)
    #: the deployment-path mappings includes were read through (mapping.Mapping)
    mappings: list = field(default_factory=list)

    def failed(self, fail_on: str) -> bool:
        threshold = SEVERITY_RANK[fail_on]
        return any(SEVERITY_RANK[f.severity] >= threshold for f in self.findings)


def matches(code: str, name: str, patterns: list[str]) -> bool:
    """`CORS2` matches CORS201..CORS209; a slug matches its rule."""
    for pattern in patterns:
        p = pattern.strip()
        if not p:
            continue
        if code.upper().startswith(p.upper()) or name == p.lower():
            return True
    return False


def selected_rules(select: list[str], ignore: list[str], others: list[Settings] = ()):
    """The rules a lint runs (those `select` and `ignore` leave, or the
    settings of any file's nearer configuration, `others`), their modules
    imported now: once, before the judges of a large model fork."""
    from corslint.rules import RULES

    choices = [(select, ignore), *((s.select, s.ignore) for s in others)]
    rules = [rule for rule in RULES if any(matches(rule.code, rule.name, chosen) and
                                           not matches(rule.code, rule.name, ignored) for chosen, ignored in choices)]
    for rule in rules:
        rule.load()
    return rules


def load_model(path: str, kind: str, root: str | None = None):
    """The server model for one root file, read by its kind's loader
    (kinds.KINDS); errors stay on the model."""
    problem = unreadable(path)   # too large, a FIFO or device, a symlink loop
    if problem is not None:
        raise InputError(path, None, problem)
    load = load_function(kind)
    return load(path, path, root) if KINDS[kind].includes else load(path, path)


#: a model with at least this many scopes is judged by several processes
PARALLEL_MIN_SCOPES = 1500
#: at most this many processes judge one model
MAX_WORKERS = 4
#: a process judges a model that honours shares this many scopes at a time,
#: so the answers of one batch are freed before the next (they are most of
#: a large run's memory)
BATCH_SCOPES = 500


def _workers(model) -> int:
    """How many processes judge a model: one per usable core (at most
    MAX_WORKERS) for a large model, else one."""
    if not hasattr(os, "fork") or model.size() < PARALLEL_MIN_SCOPES:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_WORKERS))


def judge(model, rules, make_context) -> tuple[list[Finding], list[InputError]]:
    """Run the rules on one model.  A large model on a multi-core machine is
    split in shares judged at once by forked children and this process:
    scopes of different servers never share an answer, so the shares are
    independent and their findings simply merge (lint() keeps one
    representative per line and code whatever the split)."""
    workers = _workers(model)
    if workers == 1:
        return _judge_batches(model, rules, make_context, 0, 1)
    import pickle

    children = []
    for index in range(1, workers):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:   # a child judges its share and sends the results back
            os.close(read_end)
            try:
                payload = pickle.dumps(_judge_batches(model, rules, make_context, index, workers))
            except BaseException as exc:  # the parent reports it; the child must never return into the caller
                payload = pickle.dumps(([], [failure(model.path, exc)]))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            os._exit(0)
        os.close(write_end)
        children.append((pid, read_end))
    try:
        findings, errors = _judge_batches(model, rules, make_context, 0, workers)
    finally:
        results = []
        for pid, read_end in children:
            with os.fdopen(read_end, "rb") as pipe:
                results.append(pipe.read())
            os.waitpid(pid, 0)
    seen = {str(e) for e in errors}     # several shares may meet the same slow regex
    for data in results:
        if not data:
            errors.append(InputError(model.path, None, "internal error: a worker process died"))
            continue
        child_findings, child_errors = pickle.loads(data)
        findings += child_findings
        errors += [e for e in child_errors if str(e) not in seen]
        seen.update(str(e) for e in child_errors)
    return findings, errors


def _judge_batches(model, rules, make_context, index: int, workers: int) -> tuple[list[Finding], list[InputError]]:
    """Judge share `index` of `workers`.  A large model that honours shares
    is judged in batches (finer shares, each with a context of its own), so
    each batch's answers are freed before the next batch is asked: shares
    are independent, as for the processes.  Only a model large enough to be
    split between processes is batched (a smaller one is judged as before)."""
    size = model.size()
    batches = 1
    if model.shares_independent and size >= PARALLEL_MIN_SCOPES:
        batches = max(1, size // (workers * BATCH_SCOPES))
    findings: list[Finding] = []
    errors: list[InputError] = []
    try:
        for batch in range(batches):
            model.share = (index + workers * batch, workers * batches)
            batch_findings, batch_errors = _judge_share(model, rules, make_context)
            findings += batch_findings
            errors += [e for e in batch_errors if all(str(e) != str(known) for known in errors)]
    finally:
        model.share = (0, 1)
    return findings, errors


def _judge_share(model, rules, make_context) -> tuple[list[Finding], list[InputError]]:
    ctx = make_context(model)
    findings: list[Finding] = []
    errors: list[InputError] = []
    try:
        _run_rules(model, rules, ctx, findings, errors)
    finally:
        ctx.close()
    return findings, errors


def _run_rules(model, rules, ctx, findings: list[Finding], errors: list[InputError]) -> None:
    for rule in rules:
        try:
            for hit in rule.check(ctx):
                severity = rule.severity
                if hit.at_most and SEVERITY_RANK[hit.at_most] < SEVERITY_RANK[severity]:
                    severity = hit.at_most
                findings.append(Finding(rule.code, rule.name, severity, hit.source.path, hit.source.line,
                                        hit.message, hit.request, related=[*hit.related, *model.related],
                                        fix=hit.fix, edits=hit.edits, data=hit.data))
        except RegexTimeout as exc:   # a configured regex backtracks without end: report it once
            error = regex_error(model, exc)
            if all(str(e) != str(error) for e in errors):
                errors.append(error)
        except MemoryError:   # the whole file is too large to judge: lint() reports it once
            raise
        except Exception as exc:  # a bug must not hide the other files' results
            errors.append(InputError(model.path, None, f"internal error in {rule.code} "
                                     f"({type(exc).__name__}: {exc}); please report it"))


def _line_of(path: str, text: str) -> int | None:
    """The first line of a file that holds `text` (where a pattern is written)."""
    import io

    try:
        source = read(path).decode("utf-8", errors="replace")
    except OSError:
        return None
    for number, line in enumerate(io.StringIO(source, newline=None), start=1):
        if text in line:
            return number
    return None


def regex_error(model, exc: RegexTimeout) -> InputError:
    """The input error for a regex that ran out of time, at the line that
    writes the pattern (found in the model's files) when there is one.
    The run's spent regex budget is the run's, not a pattern's: no line."""
    if isinstance(exc, RegexBudgetSpent):
        return InputError(model.path, None, str(exc))
    for shown in model.parsed.files or [model.path]:
        number = _line_of(shown, exc.pattern)
        if number is not None:
            return InputError(shown, number, str(exc))
    return InputError(model.path, None, str(exc))


def failure(path: str, exc: BaseException) -> InputError:
    """The input error for whatever went wrong reading, lowering or judging
    one root file: a failure of one file is reported for that file, never
    the end of the run (the other files are still linted and the report is
    written)."""
    if isinstance(exc, InputError):
        return exc
    if isinstance(exc, RegexTimeout):
        return InputError(path, _line_of(path, exc.pattern), str(exc))
    if isinstance(exc, RecursionError):
        return InputError(path, None, "cannot read this file: it nests too deeply")
    if isinstance(exc, MemoryError):
        return InputError(path, None, "cannot lint this file within the memory available: "
                                      "its configuration is too large")
    if isinstance(exc, re.error):
        pattern = exc.pattern if isinstance(exc.pattern, str) else None
        return InputError(path, _line_of(path, pattern) if pattern else None,
                          f"invalid regular expression{f' {pattern!r}' if pattern else ''}: {exc.msg}")
    if isinstance(exc, (ValueError, OSError)):
        return InputError(path, None, f"cannot read this file: {exc}")
    return InputError(path, None, f"internal error ({type(exc).__name__}: {exc}); please report it")


@record
class Outcome:
    """What one root file gave, kept without its model (each model is
    judged and dropped before the next file is read) until the run knows
    whether another root file includes this one."""

    path: str
    #: the files its model read, the root first
    files: list[str]
    #: False when it was not judged: an earlier root includes it, or a template that renders to nothing corslint reads
    judged: bool = False
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notices: list[InputError] = field(default_factory=list)
    quiet: list[str] = field(default_factory=list)
    mapped: list = field(default_factory=list)


def lint_file(path: str, kind: str, root: str | None, rules, make_context, included: set[str]) -> Outcome:
    """Read, lower and judge one root file.  A file an earlier root file
    includes (in `included`) is read, for the files it includes in turn, but
    not judged: it is linted in the context of its includer."""
    model = load_model(path, kind, root)
    outcome = Outcome(model.path, list(model.parsed.files))
    if model.path in included:
        return outcome
    if model.parsed.errors and template_markup(model.path):   # a template by its content: rendered
        from .templates.run import lint_template

        rendered = lint_template(path, True, kind, root, rules, make_context, included)
        if rendered is not None:
            return rendered
    outcome.judged = True
    outcome.errors.extend(model.parsed.errors)
    outcome.notices.extend(model.parsed.notices)    # includes not read: the file is linted all the same
    outcome.quiet.extend(model.parsed.quiet)
    outcome.mapped.extend(model.parsed.mapped)
    if getattr(model, "alternatives", None):    # a fact left unknown: each value judged (linter/alternatives.py)
        from .alternatives import judge_alternatives

        outcome.findings, errors = judge_alternatives(model, judge, rules, make_context)
    else:
        outcome.findings, errors = judge(model, rules, make_context)
    outcome.errors.extend(errors)
    return outcome


#: a run collects its cyclic garbage (gc is off, cli.main) before it reads
#: a file once this many container objects more than at the last collection
#: are alive: a large model is freed before the next file is read, many
#: small ones cost one collection per this many objects, and the last
#: file's model is left to the exit
COLLECT_AFTER = 500_000


def _release_garbage() -> None:
    """Free the cycles of the models dropped so far, once enough are garbage."""
    if gc.get_count()[0] > COLLECT_AFTER:
        gc.collect()


def _release(exc: BaseException) -> None:
    """Free what a failed file left behind before its failure is reported:
    the tracebacks of the exception (and of those it was raised while
    handling) hold the frames that hold the half-built model, and after a
    MemoryError nothing can be allocated until it is gone.  Allocates
    nothing itself until the frames are dropped."""
    out_of_memory = isinstance(exc, MemoryError)
    while exc is not None:
        exc.__traceback__ = None
        exc = exc.__context__
    if out_of_memory:
        gc.collect()


def _covered_elsewhere(outcomes: list[Outcome]) -> set[str]:
    """Root files another root includes: they are linted in that context.
    Of files that include each other (a cycle), the first one given stays."""
    includers: dict[str, list[int]] = {}
    for index, outcome in enumerate(outcomes):
        for shown in outcome.files[1:]:
            includers.setdefault(shown, []).append(index)
    covered = set()
    for index, outcome in enumerate(outcomes):
        others = [i for i in includers.get(outcome.path, []) if i != index]
        if any(i < index or outcome.path not in {*outcomes[i].files[1:]} or
               outcomes[i].path not in {*outcome.files[1:]} for i in others):
            covered.add(outcome.path)
    return covered


def _wired(entries: list, root: str | None, report: Report, mappings: list, strict: bool) -> tuple[list, dict]:
    """The run's entries with the deployment files (docker-compose,
    Dockerfile) replaced by the server configuration they wire in, and
    {wired file: kind}; their mappings join the user's
    (`mappings`: --map, `paths`) as the run's (`mapping.use`), and what they
    cannot follow is a notice (an input error under --strict)."""
    from .deploy import discover
    from .mapping import use

    wiring = discover(entries, root)
    use([*mappings, *wiring.mappings])
    for notice in wiring.notices:
        (report.errors if strict else report.notices).append(InputError(shown_path(notice.path), notice.line,
                                                                        notice.message))
    report.errors.extend(wiring.errors)
    report.read.extend(sorted(shown_path(path) for path in wiring.read))    # the compose files and Dockerfiles
    if not wiring.read:
        return entries, {}
    kept = [e for e in entries if os.path.realpath(e[0]) not in wiring.consumed]
    listed = {os.path.realpath(e[0]): e[0] for e in kept}
    wired = {listed.get(os.path.realpath(path), path): how for path, how in wiring.roots.items()}
    kept += [(path, True, None) for path in wired if os.path.realpath(path) not in listed]
    return kept, wired


def probe_context_maker(settings: Settings):
    """The `make_context` of a run: a `probes.ProbeContext` per model with
    the user's trusted origins and declared clients (lint and surface ask
    the same questions)."""
    from .origins import Trust
    from .probes import Client, ProbeContext

    trust = Trust(settings.trusted_origins)
    clients = [Client(c["origin"], c.get("methods", ()), c.get("headers", ()), bool(c.get("credentials", False)))
               for c in settings.clients]
    return lambda model: ProbeContext(model, trust, clients)


def walk(paths: list[str], settings: Settings, choose_checks, make_context, forced_kind: str | None = None,
         root: str | None = None, strict: bool = False, mappings: list | None = None):
    """The part of a run every command shares: expand `paths`, wire the
    deployment files in, read each root file (templates rendered,
    alternatives explored) and judge its model with the checks
    `choose_checks(entries, governing)` picks (the rules for a lint, the
    survey for `surface`).  Returns (report, outcomes, governing): the report
    holds the run's input errors, notices, skipped and read files; the
    outcomes are the judged root files no other root includes, in order."""
    from .mapping import focus

    report = Report()
    new_budget()
    outcomes: list[Outcome] = []
    included: set[str] = set()   # files the roots read so far include
    forget_paths()
    entries, wired = _wired(expand(paths, root), root, report, mappings or [], strict)
    governing = _governing(settings, report)
    checks = choose_checks(entries, governing)
    for path, explicit, refused in entries:
        if refused is not None:     # a link out of the folder walked
            report.skipped.append((path, refused))
            continue
        if explicit and not exists(path):
            report.errors.append(InputError(path, None, "no such file or directory"))
            continue
        problem = unreadable(path) if explicit else None   # before classify: a FIFO would block it
        if problem is not None:
            report.errors.append(InputError(path, None, problem))
            continue
        focus(path)     # the mappings of the deployments that hold this file
        try:
            if template_candidate(path):    # rendered to variants (linter/templates)
                from .templates.run import lint_template

                outcome = lint_template(path, explicit, wired.get(path, forced_kind), root,
                                        checks, make_context, included)
                if outcome is not None:
                    outcomes.append(outcome)
                    included.update(outcome.files[1:])
                    continue
            if path in wired:
                kind, why = wired[path], None
            else:
                kind, why = ((forced_kind, None) if forced_kind else explicit_kind(path)) if explicit \
                    else recognise(path)
            if kind is None:
                if explicit or why:   # a walk lists the server-named files it does not read
                    report.skipped.append((path, why or "no CORS configuration here that corslint reads "
                                                        "(--type forces a kind)"))
                continue
            problem = None if explicit else unreadable(path)
            if problem is not None:
                report.errors.append(InputError(path, None, problem))
                continue
            _release_garbage()   # the models of the files before are garbage: free their cycles
            outcome = lint_file(path, kind, root, checks, make_context, included)
        except Exception as exc:   # MemoryError, re.error, a bug: this file's failure, not the run's
            _release(exc)
            report.errors.append(failure(path, exc))
            continue
        outcomes.append(outcome)
        included.update(outcome.files[1:])
    covered = _covered_elsewhere(outcomes)
    judged: list[Outcome] = []
    errors_told: set[tuple] = set()
    for outcome in outcomes:
        if outcome.path in covered:
            continue    # linted in the context of the file that includes it
        report.skipped.extend(outcome.skipped)
        if not outcome.judged:
            continue
        judged.append(outcome)
        _add_notices(report, outcome, strict)
        report.files += len(outcome.files)
        report.read.extend(outcome.files)
        for error in outcome.errors:    # once for the run: an included file's error reaches every includer
            key = ("", 0, BUDGET_SPENT) if error.message == BUDGET_SPENT else (error.path, error.line, error.message)
            if key not in errors_told:
                errors_told.add(key)
                report.errors.append(error)
    report.errors.sort(key=lambda e: (e.path, e.line or 0))
    report.notices.sort(key=lambda e: (e.path, e.line or 0))
    report.skipped = list(dict.fromkeys(report.skipped))   # a template reached by a walk and a templatefile: once
    return report, judged, governing


def lint(paths: list[str], settings: Settings, forced_kind: str | None = None, root: str | None = None,
         strict: bool = False, mappings: list | None = None) -> Report:
    """Lint `paths`.  `mappings` (mapping.Mapping: --map, `paths`) are the
    run's deployment-path mappings; `strict` makes notices input errors."""
    from . import suppress

    def choose_rules(entries, governing):
        return selected_rules(settings.select, settings.ignore,
                              list({id(s): s for s in map(governing, (e[0] for e in entries))}.values()))

    report, outcomes, governing = walk(paths, settings, choose_rules, probe_context_maker(settings),
                                       forced_kind, root, strict, mappings)
    findings: dict[tuple, Finding] = {}
    suppressions: dict[str, list] = {}
    for outcome in outcomes:
        for shown in outcome.files:
            suppressions.setdefault(shown, suppress.scan(shown))
        for finding in outcome.findings:
            # a line reached from several scopes is reported once, with the
            # same representative whatever order (or process) found it first
            known = findings.get(finding.key)
            if known is None or (finding.message, finding.request) < (known.message, known.request):
                findings[finding.key] = finding
    kept = [f for f in findings.values() if governing(f.path).selects(f.code, f.name, f.path)]
    report.findings = sorted(suppress.apply(kept, suppressions), key=lambda f: (f.path, f.line, f.code))
    if strict:
        report.unused_suppressions = [s for sups in suppressions.values() for s in sups if not s.used]
    return report


def _governing(settings: Settings, report: Report):
    """`config.governing` for this run: the settings a file's findings are
    judged by; a nearer configuration file that is not valid is an input
    error (once) and the run's settings judge its folder."""
    from .config import governing

    chosen: dict[str, Settings] = {}    # a file's findings are many: its settings are looked up once

    def settings_for(path: str) -> Settings:
        known = chosen.get(path)
        if known is None:
            try:
                known = governing(settings, path)
            except InputError as exc:
                if all(str(exc) != str(e) for e in report.errors):
                    report.errors.append(exc)
                known = settings
            chosen[path] = known
        return known
    return settings_for


def _add_notices(report: Report, outcome: Outcome, strict: bool) -> None:
    """A judged file's notices (each once a run: an include two roots share
    is one notice; errors under --strict), its quiet system files and the
    mappings its includes went through."""
    into = report.errors if strict else report.notices
    known = {str(n) for n in into}
    for notice in outcome.notices:
        if str(notice) not in known:
            known.add(str(notice))
            into.append(notice)
    for name in outcome.quiet:
        report.quiet[name] = report.quiet.get(name, 0) + 1
    report.mappings.extend(m for m in outcome.mapped if m not in report.mappings)
