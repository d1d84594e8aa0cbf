"""Which template language a file is written in, and the name of the file
it renders to."""

from __future__ import annotations

import os

#: name endings that say a file is a template: its language (None: decided by content)
SUFFIXES = {".j2": "jinja", ".jinja2": "jinja", ".jinja": "jinja", ".erb": "erb", ".gotmpl": "go", ".ctmpl": "go",
            ".tpl": None, ".tmpl": None, ".template": "envsubst"}
#: the modules of each language: each has parse(path, text, start_ident) -> tree.Template
MODULES = {"jinja": "jinja", "erb": "erb", "go": "gotemplate", "terraform": "terraform", "envsubst": "envsubst"}
#: words naming each language in messages
NAMES = {"jinja": "Jinja", "erb": "ERB", "go": "Go template", "terraform": "Terraform template",
         "envsubst": "envsubst template"}


def suffix(path: str) -> str | None:
    lower = path.lower()
    return next((s for s in SUFFIXES if lower.endswith(s)), None)


def by_content(text: str) -> str | None:
    """The language a template's markup shows, or None (no markup)."""
    if "{%" in text or "{#" in text:
        return "jinja"
    if "<%" in text and "%>" in text:
        return "erb"
    if "{{" in text:
        return "go"
    if "%{" in text or "${" in text:
        return "terraform"
    return None


def language(path: str, text: str) -> str | None:
    """The language of a template file: its name ending's, else its content's."""
    ending = suffix(path)
    if ending is not None and SUFFIXES[ending] is not None:
        return SUFFIXES[ending]
    found = by_content(text)
    if ending is None and found == "terraform":
        return None     # `${VAR}` in a file without a template name: nginx's own variables
    return found


def rendered_name(path: str) -> str:
    """The name of the file a template renders to: without its template
    ending (`api.conf.j2` -> `api.conf`); a Helm manifest keeps its name."""
    name = os.path.basename(path)
    ending = suffix(name)
    return name[:-len(ending)] if ending is not None and len(name) > len(ending) else name

