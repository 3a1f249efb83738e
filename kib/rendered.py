"""Template output written in Python, for the parts of a page repeated so often that the template engine's own
work showed (a chapter's blocks and notes, a figure's data table, the tracker's results, the home page's list
of editions): the same bytes the template wrote (``tests/test_rendered_in_python.py``)."""

import html

from django.conf import settings
from django.template.base import render_value_in_context
from django.utils.safestring import SafeString


def shown(value, context):
    """``value`` as ``{{ value }}`` shows it in ``context``: localised, and escaped unless it is safe.

    A plain ``str`` needs neither localising nor a time zone: it is escaped directly (``html.escape``, the
    characters Django's ``escape`` replaces), and a ``SafeString`` is shown as it is, without the template
    machinery's per-value calls. An ``int`` (a year, a count) without thousands separators is its digits, what
    ``localize`` makes of it in every language then.
    """
    kind = type(value)
    if kind is SafeString:  # already escaped, and not a number or a date: as it is
        return value
    if kind is str and context.autoescape:
        return html.escape(value)
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return str(render_value_in_context(value, context))
