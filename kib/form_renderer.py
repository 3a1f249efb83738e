"""A form renderer that writes the most frequent small templates of a large admin form in Python.

A chapter's section page holds hundreds of fields; for each one Django renders through the template
engine the template of its label (``django/forms/label.html``), of its error list
(``django/forms/errors/list/…``, almost always empty) and of its widget (a text, number, hidden or
checkbox input, a textarea, a select and its options, each with ``attrs.html``). ``FastLabelsRenderer``
gives the same HTML for those without a template: an empty error list is empty, a label or a widget is
the same tag with the same escaped attributes. It does so only while the template is Django's own
file (an installed app that overrides one is rendered as before), and every other template (fieldsets,
other widgets, a project's own) renders as before. ``tests/test_form_renderer.py`` compares its output
with the templates'.
"""

from functools import cached_property
from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

ERROR_LIST_TEMPLATES = frozenset({"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"})
LABEL_TEMPLATE = "django/forms/label.html"
_WIDGETS = "django/forms/widgets/"
# Widget templates that are nothing but ``{% include "django/forms/widgets/input.html" %}``.
INPUT_TEMPLATES = frozenset(
    _WIDGETS + f"{name}.html" for name in ("input", "text", "number", "hidden", "checkbox", "email", "url", "password")
)
TEXTAREA_TEMPLATE = _WIDGETS + "textarea.html"
SELECT_TEMPLATE = _WIDGETS + "select.html"
OPTION_TEMPLATE = _WIDGETS + "select_option.html"
DJANGO_FORM_TEMPLATES = Path(django.forms.__file__).resolve().parent / "templates"


def _formatted(value):
    """``value|stringformat:'s'``, escaped as the template escapes it (a safe string stays as it is)."""
    return conditional_escape(value if isinstance(value, SafeData) else str(value))


def _attrs(attrs):
    """``django/forms/attrs.html``: `` name="value"`` per attribute, `` name`` for True, nothing for False."""
    out = []
    for name, value in (attrs or {}).items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}")
        if value is not True:
            out.append(f'="{_formatted(value)}"')
    return "".join(out)


def _input(widget):
    value = widget["value"]
    html = f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
    if value is not None:
        html += f' value="{_formatted(value)}"'
    return html + _attrs(widget["attrs"]) + ">"


def _textarea(widget):
    value = widget["value"]
    text = conditional_escape(value) if value else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'


def _option(option):
    return f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>{conditional_escape(option["label"])}</option>\n'


def _select(widget):
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            out.append("\n  " + _option(option))
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class FastLabelsRenderer(DjangoTemplates):
    @cached_property
    def _own_templates(self):
        """The templates written here in Python, those that resolve to Django's own files (not overridden)."""
        names = {*INPUT_TEMPLATES, TEXTAREA_TEMPLATE, SELECT_TEMPLATE, OPTION_TEMPLATE, LABEL_TEMPLATE}
        return frozenset(
            name for name in names if Path(self.get_template(name).origin.name).resolve().is_relative_to(DJANGO_FORM_TEMPLATES)
        )

    def render(self, template_name, context, request=None):
        if template_name in ERROR_LIST_TEMPLATES and not context.get("errors"):
            return ""
        if template_name in self._own_templates:
            html = self._render_in_python(template_name, context)
            if html is not None:
                return mark_safe(html.strip())
        return super().render(template_name, context, request)

    def _render_in_python(self, template_name, context):
        if template_name == LABEL_TEMPLATE:
            if not set(context) <= {"field", "label", "attrs", "use_tag", "tag"}:
                return None
            label = conditional_escape(context.get("label", ""))
            if context.get("use_tag"):
                tag = conditional_escape(context.get("tag", ""))
                return f"<{tag}{_attrs(context.get('attrs'))}>{label}</{tag}>"
            return str(label)
        widget = context.get("widget")
        if not isinstance(widget, dict):
            return None
        if template_name in INPUT_TEMPLATES:
            return _input(widget)
        if template_name == TEXTAREA_TEMPLATE:
            return _textarea(widget)
        if template_name == SELECT_TEMPLATE and all(
            option.get("template_name") == OPTION_TEMPLATE for _name, options, _index in widget["optgroups"] for option in options
        ) and OPTION_TEMPLATE in self._own_templates:
            return _select(widget)
        return None


FAST = FastLabelsRenderer()
