"""A form renderer that writes the two most frequent small templates of a large admin form in Python.

A chapter's section page holds hundreds of fields; for each one Django renders the template of its
label (``django/forms/label.html``) and of its error list (``django/forms/errors/list/…``), almost
always empty, through the template engine. ``FastLabelsRenderer`` gives the same HTML for those
(an empty error list is empty, a label is the same tag with the same escaped attributes) without a
template; every other template (widgets, fieldsets, a project's own override) renders as before.
``tests/test_form_renderer.py`` compares its output with the templates'.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

ERROR_LIST_TEMPLATES = frozenset({"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"})
LABEL_TEMPLATE = "django/forms/label.html"


def _attrs(attrs):
    """``django/forms/attrs.html``: `` name="value"`` per attribute, `` name`` for True, nothing for False."""
    out = []
    for name, value in (attrs or {}).items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}")
        if value is not True:
            text = value if isinstance(value, SafeData) else str(value)  # stringformat:'s'
            out.append(f'="{conditional_escape(text)}"')
    return "".join(out)


class FastLabelsRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in ERROR_LIST_TEMPLATES and not context.get("errors"):
            return ""
        if template_name == LABEL_TEMPLATE and set(context) <= {"field", "label", "attrs", "use_tag", "tag"}:
            label = conditional_escape(context.get("label", ""))
            if context.get("use_tag"):
                tag = conditional_escape(context.get("tag", ""))
                html = f"<{tag}{_attrs(context.get('attrs'))}>{label}</{tag}>"
            else:
                html = str(label)
            return mark_safe(html.strip())
        return super().render(template_name, context, request)


FAST = FastLabelsRenderer()
