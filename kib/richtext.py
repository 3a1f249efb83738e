"""The one rich-text format of KIB: a small HTML subset, sanitised with nh3 on save.

Allowed: paragraphs, line breaks, bold/italic, lists, links (http, https, mailto),
superscript/subscript. Everything else is stripped, including scripts, styles,
images and event handlers, so the PDF renderer and the public site never see them.

In the admin every rich-text field is edited with django-prose-editor (Tiptap/ProseMirror),
configured with exactly this subset: its toolbar offers nothing else, and what is pasted from
Word or a web page is parsed into the same subset in the browser. Whatever the browser sends,
the form and the model sanitise it again here. Without JavaScript the field is a textarea.
"""

import json
import re
from pathlib import Path

import nh3
from django import forms
from django.contrib.admin.widgets import AdminTextareaWidget
from django.db import models
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget, ProseEditorWidget

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "sup", "sub"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# The editor's extensions: the subset above and nothing more (no headings, no HTML source
# button, no images, tables or colours). Document, Paragraph, Text and undo/redo come with it.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Superscript": True,
    "Subscript": True,
    "HardBreak": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    # No autolink: a link is made with the toolbar's dialog (static/kib/prose-editor.js), and what is
    # typed right after it is not drawn into it, as in Word. Pasting a URL over selected words still links them.
    "Link": {"enableTarget": False, "autolink": False, "protocols": sorted(ALLOWED_URL_SCHEMES)},
    "NoSpellCheck": False,  # editors write Dutch prose: keep the browser's spelling check
}

_EMPTY = re.compile(r"^(?:\s|<p>|</p>|<br>)*$")


def sanitize_html(value):
    """Return ``value`` reduced to the allowed HTML subset ("" when no text is left)."""
    if not value:
        return ""
    cleaned = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
    # The editor always holds one paragraph: an untouched field sends "<p></p>".
    return "" if _EMPTY.match(cleaned) else cleaned


# The editor's settings, once for every page instead of in every field: each textarea names its preset
# (``data-kib-prose-editor="richtext"``), and static/kib/prose-editor.js reads the preset's settings from
# this static file. It holds what django-prose-editor makes of EDITOR_EXTENSIONS;
# tests/test_rich_text_editor.py fails when the two differ and prints the file's new content.
PRESET = "richtext"
PRESETS_FILE = Path(__file__).resolve().parent.parent / "static" / "kib" / "prose-editor-presets.json"


def editor_presets():
    """The content of PRESETS_FILE, as the editor's settings make it."""
    config = ProseEditorWidget(config={"extensions": EDITOR_EXTENSIONS}).get_config()
    return json.dumps({PRESET: config}, indent=2) + "\n"


class _StaticModuleMedia:
    """The editor's files as plain static files: styles, and one JavaScript module (static/kib/prose-editor.js).

    The textarea names its preset (a few bytes) instead of carrying the settings (about 1.2 KB a field).
    """


    @property
    def media(self):
        return forms.Media(
            css={
                "all": [
                    "django_prose_editor/material-icons.css",
                    "django_prose_editor/editor.css",
                    "django_prose_editor/overrides.css",
                    "kib/prose-editor.css",
                ]
            },
            js=[forms.Script("kib/prose-editor.js", type="module")],
        )

    def get_context(self, name, value, attrs):
        context = forms.Textarea.get_context(self, name, value, attrs)
        context["widget"]["attrs"]["data-kib-prose-editor"] = PRESET
        return context


class RichTextWidget(_StaticModuleMedia, ProseEditorWidget):
    pass


class AdminRichTextWidget(_StaticModuleMedia, AdminProseEditorWidget):
    pass


class RichTextFormField(ProseEditorFormField):
    """The form field of every rich-text field: the editor with KIB's subset, sanitised on clean."""

    def __init__(self, *args, **kwargs):
        kwargs["config"] = {"extensions": EDITOR_EXTENSIONS}
        kwargs["sanitize"] = sanitize_html
        kwargs.pop("max_length", None)
        # The admin asks for its textarea (formfield_overrides), other forms for a plain one: either way
        # the editor, with our media instead of the package's inline import map.
        widget = kwargs.get("widget")
        in_admin = _is(widget, (AdminTextareaWidget, AdminProseEditorWidget)) if widget else False
        attrs = widget.attrs if isinstance(widget, forms.Widget) else None
        kwargs["widget"] = (AdminRichTextWidget if in_admin else RichTextWidget)(attrs=attrs)
        super().__init__(*args, **kwargs)


def _is(widget, classes):
    return issubclass(widget, classes) if isinstance(widget, type) else isinstance(widget, classes)


class RichTextField(models.TextField):
    """A TextField whose content is sanitised every time the model is saved."""

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def clean(self, value, model_instance):
        return super().clean(sanitize_html(value), model_instance)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": RichTextFormField, **kwargs})
