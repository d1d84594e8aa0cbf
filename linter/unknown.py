"""The value a template leaves to be filled in when it is rendered.

A template's expressions (`{{ cors_origin }}`, `<%= @origin %>`,
`${FRONTEND_URL}`) are rendered (`linter/templates`) to the word TOKEN,
and every format model that meets it treats the value holding it as
*unknown* (None), never as a literal that "can never match": nginx's
variable evaluation, Apache's header values and the platforms' scalars
ask `holds`.  A plain word, so it parses wherever a value may stand in
every format.  This module imports nothing: the models ask it on every
lint.
"""

TOKEN = "corslint_template_value"


def holds(text: str) -> bool:
    """Whether a configuration value holds a rendered template expression."""
    return TOKEN in text
