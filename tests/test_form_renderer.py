"""``kib.form_renderer``: the chapter's section pages render labels and empty error lists without a template,
with exactly the HTML the templates give."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorList
from django.utils.safestring import mark_safe

from kib.form_renderer import FAST
from tests.test_chapter_sections import cast, open_section  # noqa: F401 (the fixture)

TEMPLATES = DjangoTemplates()


class Sample(forms.Form):
    required_css_class = "required"
    name = forms.CharField(label="Naam & <b>functie</b>")
    note = forms.CharField(label=mark_safe("Noot <em>kort</em>"), required=False)
    count = forms.IntegerField(label="")


@pytest.mark.parametrize(
    "attrs",
    [None, {}, {"class": "vLarge", "data-x": 'a"b<c>'}, {"hidden": True, "off": False, "n": 3}, {"t": mark_safe("&amp;")}],
)
@pytest.mark.parametrize("suffix", [None, "", ":"])
def test_labels_are_the_templates_html(attrs, suffix):
    for renderer in (FAST, TEMPLATES):
        form = Sample(renderer=renderer, auto_id="id_%s")
        unbound = Sample(renderer=renderer, auto_id=False)
        html = [form[name].label_tag(attrs=attrs, label_suffix=suffix) for name in form.fields]
        html += [unbound[name].label_tag(attrs=attrs) for name in unbound.fields]
        html += [form["name"].legend_tag(attrs=attrs), form["name"].label_tag(contents="Anders <i>", tag="span")]
        if renderer is FAST:
            fast = html
        else:
            assert fast == html
    assert fast[0].startswith("<label") and "Naam &amp; &lt;b&gt;functie&lt;/b&gt;" in fast[0]  # escaped


def test_error_lists_are_the_templates_html_empty_or_not():
    for errors in ([], ["Verplicht veld.", "Te <lang>"]):
        for renderer in (FAST, TEMPLATES):
            error_list = ErrorList(errors, renderer=renderer, field_id="id_naam")
            rendered = [str(error_list), error_list.as_ul(), error_list.as_text()]
            if renderer is FAST:
                fast = rendered
            else:
                assert fast == rendered
        assert bool(fast[0]) == bool(errors)


def _without_tokens(html):
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", html)


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["focus", "laatste", "voetnoten", "algemeen", "kengetallen", "ontwikkelingen", "aanbevelingen"])
def test_a_section_page_is_the_same_html_as_with_the_templates(client, cast, monkeypatch, key):  # noqa: F811
    fast = open_section(client, cast.editor_a, cast.chapter_a, key)
    monkeypatch.setattr("themes.admin.FAST", TEMPLATES)
    slow = open_section(client, cast.editor_a, cast.chapter_a, key)
    assert fast.status_code == slow.status_code == 200
    assert b"<label" in fast.content
    assert _without_tokens(fast.content) == _without_tokens(slow.content)


class Widgets(forms.Form):
    name = forms.CharField(initial='Kinderen & "jongeren" <b>', widget=forms.TextInput(attrs={"class": "vTextField"}))
    empty = forms.CharField(required=False)
    count = forms.IntegerField(initial=3, min_value=0)
    secret = forms.CharField(widget=forms.HiddenInput, initial=mark_safe("a&amp;b"))
    agreed = forms.BooleanField(required=False, initial=True)
    mail = forms.EmailField(required=False)
    site = forms.URLField(required=False, assume_scheme="https", initial="https://example.org/?a=1&b=2")
    word = forms.CharField(widget=forms.PasswordInput(render_value=True), initial="x<y")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "hidden": True}), initial="<p>Een & twee</p>")
    blank = forms.CharField(widget=forms.Textarea, required=False)
    territory = forms.ChoiceField(choices=[("NL", "Europees <Nederland>"), ("CN", 'Caribisch "NL"')], initial="CN")
    grouped = forms.ChoiceField(
        choices=[("", "---------"), ("Eilanden", [("BON", "Bonaire"), ("SAB", "Saba")]), ("NL", "Nederland")], initial="SAB"
    )
    several = forms.MultipleChoiceField(choices=[("1", "een"), ("2", "twee")], initial=["1", "2"], required=False)
    nothing = forms.ChoiceField(choices=[], required=False)


@pytest.mark.parametrize("bound", [False, True])
def test_widgets_are_the_templates_html(bound, monkeypatch):
    by_template = []
    original = DjangoTemplates.render
    monkeypatch.setattr(DjangoTemplates, "render", lambda self, name, *a, **k: by_template.append((self, name)) or original(self, name, *a, **k))
    data = {"name": "<script>", "count": "x", "agreed": "on", "text": "a\nb", "territory": "NL", "several": ["2"]}
    html = {}
    for renderer in (FAST, TEMPLATES):
        form = Widgets(data if bound else None, renderer=renderer)
        html[renderer] = [str(form[name]) for name in form.fields]
    assert html[FAST] == html[TEMPLATES]
    assert "&lt;" in "".join(html[FAST])  # escaped, not raw
    assert not [name for renderer, name in by_template if renderer is FAST]  # all of them written in Python


def test_a_widget_template_overridden_by_an_app_is_rendered_by_its_template(monkeypatch):
    renderer = type(FAST)()
    monkeypatch.setattr(type(renderer), "_own_templates", frozenset())
    calls = []
    original = DjangoTemplates.render
    monkeypatch.setattr(DjangoTemplates, "render", lambda self, name, *a, **k: calls.append(name) or original(self, name, *a, **k))
    str(Widgets(renderer=renderer)["name"])
    assert calls == ["django/forms/widgets/text.html"]
    assert "django/forms/widgets/text.html" in FAST._own_templates  # Django's own file: written in Python
