"""Every rich-text field of the admin is edited with the toolbar editor, limited to KIB's subset.

The editor (django-prose-editor) is set once, by the model field's form field; plain fields stay
plain inputs; the page loads the editor from static files only (no inline import map under the
content security policy); without JavaScript the field is a textarea; and whatever the browser
sends is sanitised on the server (the browser-side E2E test is tests/e2e/test_rich_text_editor.py).
"""

import json
import re

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin

from kib.richtext import (
    EDITOR_EXTENSIONS,
    PRESETS_FILE,
    AdminRichTextWidget,
    RichTextField,
    RichTextFormField,
    editor_presets,
    sanitize_html,
)
from tests import factories as f

# The extensions the editor is configured with, beyond the ones every document needs.
SUBSET = {"Bold", "Italic", "Superscript", "Subscript", "HardBreak", "BulletList", "OrderedList", "ListItem", "Link"}
BASE = {"Document", "Paragraph", "Text", "Dropcursor", "Gapcursor", "Menu", "History"}


def _rich_text_fields():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, RichTextField) and model in admin.site._registry:
                yield model, field


def test_the_editor_offers_exactly_kibs_subset():
    assert set(EDITOR_EXTENSIONS) - {"NoSpellCheck"} == SUBSET
    assert EDITOR_EXTENSIONS["Link"] == {"enableTarget": False, "autolink": False, "protocols": ["http", "https", "mailto"]}


def test_the_editors_settings_file_is_the_one_kib_declares():
    # The browser reads the settings from the static file, not from each field.
    assert PRESETS_FILE.read_text() == editor_presets(), f"Write this to {PRESETS_FILE}:\n{editor_presets()}"
    presets = json.loads(PRESETS_FILE.read_text())
    assert set(presets) == {"richtext"}
    assert set(presets["richtext"]["extensions"]) == SUBSET | BASE
    assert presets["richtext"]["extensions"]["Link"]["autolink"] is False


@pytest.mark.django_db
def test_every_rich_text_field_in_the_admin_gets_the_editor(rf):
    request = rf.get("/admin/")
    request.user = f.administrator()
    fields = list(_rich_text_fields())
    assert len(fields) >= 10
    for model, field in fields:
        formfield = admin.site._registry[model].formfield_for_dbfield(field, request=request)
        assert isinstance(formfield, RichTextFormField), (model, field.name)
        assert isinstance(formfield.widget, AdminRichTextWidget), (model, field.name)
        html = formfield.widget.render(field.name, "<p>Tekst</p>")
        assert html.startswith(f'<textarea name="{field.name}"')  # without JavaScript: a textarea
        # The field names its preset; the settings are in the static file, once.
        assert re.findall(r' data-[\w-]*prose-editor[\w-]*="([^"]*)"', html) == ["richtext"], (model, field.name)


@pytest.mark.django_db
def test_plain_one_line_fields_stay_plain_inputs(rf):
    from themes.models import Chapter

    request = rf.get("/admin/")
    request.user = f.administrator()
    chapter_admin = admin.site._registry[Chapter]
    title = chapter_admin.formfield_for_dbfield(Chapter._meta.get_field("title"), request=request)
    assert type(title.widget) is admin.widgets.AdminTextInputWidget
    question = chapter_admin.formfield_for_dbfield(Chapter._meta.get_field("intro_question"), request=request)
    assert not isinstance(question.widget, AdminRichTextWidget)  # a plain text field, not rich text


def test_the_editor_loads_from_static_files_without_inline_script():
    media = str(AdminRichTextWidget().media)
    assert '<script src="/static/kib/prose-editor.js" type="module"></script>' in media
    assert "importmap" not in media
    assert "<style" not in media


@pytest.mark.django_db
def test_the_chapter_page_has_the_editor_and_no_inline_script(client):
    cast = f.workflow_cast()
    client.force_login(cast.editor_a)
    response = client.get(f"/admin/themes/chapter/{cast.chapter_a.pk}/change/")
    html = response.content.decode()
    assert 'data-kib-prose-editor="richtext"' in html
    assert "data-django-prose-editor" not in html  # the package's per-field settings (1.2 KB each) are not repeated
    assert "&quot;extensions&quot;" not in html
    assert "/static/kib/prose-editor.js" in html
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in attrs for attrs in inline_scripts), inline_scripts
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_the_form_sanitises_whatever_the_browser_sends():
    field = RichTextFormField(required=False)
    pasted = (
        '<p class="MsoNormal" style="mso-bidi-font-weight:bold" onclick="x()"><b>Vet</b> <span lang="NL">en</span>'
        ' <a href="javascript:alert(1)">link</a> <a href="https://example.org/" target="_blank">bron</a></p>'
        '<img src="https://tracker.example/p.gif"><script>alert(1)</script><style>p{}</style><h1>Kop</h1>'
    )
    assert field.clean(pasted) == (
        '<p><b>Vet</b> en <a rel="noopener noreferrer">link</a>'
        ' <a href="https://example.org/" rel="noopener noreferrer">bron</a></p>Kop'
    )


@pytest.mark.parametrize("empty", ["", "<p></p>", " <p><br></p> ", "<p></p><p></p>"])
def test_an_untouched_editor_saves_an_empty_field(empty):
    assert sanitize_html(empty) == ""
    assert RichTextFormField(required=False).clean(empty) == ""


def test_the_form_field_is_the_one_for_plain_forms_too():
    from themes.models import Chapter

    formfield = Chapter._meta.get_field("summary").formfield()
    assert isinstance(formfield, RichTextFormField)
    assert not isinstance(formfield.widget, AdminRichTextWidget)
    assert isinstance(formfield.widget, forms.Textarea)
