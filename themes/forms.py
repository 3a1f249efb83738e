"""Forms of the chapter's admin pages that are more than a model's fields.

``CitingPartForm`` is the form of every annotated part (``annotated`` in ``themes.parts``):
besides the part's own fields it has "Bronnen toevoegen" (web addresses pasted, one per line),
"Bronnen van dit onderdeel" (the sources cited now, tick to remove) and "Voetnoot toevoegen".
Nothing of it is saved when one pasted line is not an http(s) address: the form comes back
with the lines and a message per bad line. The work is done by ``themes.citing``.

``DevelopmentGroupForm`` offers a development group's recommendation codes as checkboxes of its
own chapter's recommendations.
"""

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.db.models import Prefetch
from django.utils.html import format_html, strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from kib.admin_base import FrozenCheckForm
from themes import citing
from themes.models import ChapterRecommendation, Citation
from themes.notes import source_label

CITING_FIELDS = ("new_sources", "remove_citations", "new_footnote")


class CitingPartForm(FrozenCheckForm):
    new_sources = forms.CharField(
        label=_("Bronnen toevoegen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField kib-sources"}),
        help_text=_("Eén webadres per regel, eventueel gevolgd door ' | uitgever | titel'."),
    )
    remove_citations = forms.MultipleChoiceField(
        label=_("Bronnen van dit onderdeel"),
        required=False,
        initial=(),  # unbound: nothing ticked (a form posted back as shown sends no value)
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aanvinken en opslaan haalt de bron hier weg."),
    )
    new_footnote = forms.CharField(
        label=_("Voetnoot toevoegen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        help_text=_("Onder aan de pagina, automatisch genummerd."),
    )
    kib_user = None  # set on the class by CitingInlineMixin.get_formset

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remove_citations" in self.fields:
            cited = list(self.instance.citations.all()) if self.instance.pk else []
            self.fields["remove_citations"].choices = [(str(c.pk), cited_label(c.source)) for c in cited]
            if not cited:  # nothing to remove: no row on the page (nor its help, hidden with it)
                self.fields["remove_citations"].widget = forms.MultipleHiddenInput()
                self.fields["remove_citations"].help_text = ""

    def clean_new_sources(self):
        text = self.cleaned_data.get("new_sources", "")
        self.references = citing.parse_references(text)  # ValidationError: one message per bad line
        return text

    def _save_m2m(self):
        """After the part is saved (also a new one, saved by the formset after ``save(commit=False)``)."""
        super()._save_m2m()
        part, by = self.instance, self.kib_user
        if self.cleaned_data.get("remove_citations"):
            citing.uncite(part, [int(pk) for pk in self.cleaned_data["remove_citations"]], by=by)
        for reference in getattr(self, "references", ()):
            citing.cite(part, reference.url, reference.publisher, reference.title, by=by)
        if self.cleaned_data.get("new_footnote", "").strip():
            citing.footnote(part, self.cleaned_data["new_footnote"], by=by)


def cited_label(source):
    return format_html("{} <small>({})</small>", source_label(source), source.url) if source.url else source_label(source)


class CitingInlineMixin:
    """An inline of an annotated part: its form cites sources and adds footnotes (``CitingPartForm``)."""

    form = CitingPartForm

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("citations", queryset=Citation.objects.select_related("source")))
        )

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name not in CITING_FIELDS]
        if self.has_change_permission(request, obj):
            return [*fields, ("new_sources", "new_footnote"), "remove_citations"]  # pasting side by side
        return [*fields, "cited_sources"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "cited_sources"]

    @admin.display(description=_("bronnen"))
    def cited_sources(self, part):
        """The sources a read-only part cites, by their short titles."""
        sources = [citation.source for citation in part.citations.all()] if part.pk else []
        return ", ".join(source_label(source) for source in sources) or "–"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"kib_user": request.user})
        return formset


class PartCitationFormSet(BaseGenericInlineFormSet):
    """The citations on a part's own page: their chapter is the part's, never chosen."""

    def save_new(self, form, commit=True):
        form.instance.chapter = self.instance.owning_chapter
        return super().save_new(form, commit)


def chapter_recommendation_choices(chapter_id):
    """The chapter's own recommendations as checkbox choices: code and the start of the text, in printed order."""
    rows = (
        ChapterRecommendation.objects.filter(chapter_id=chapter_id)
        .select_related("recommendation")
        .order_by("position", "recommendation__sort_key")
    )
    return [(row.recommendation_id, _label(row.recommendation)) for row in rows]


def _label(recommendation):
    return f"{recommendation.code} – {Truncator(strip_tags(recommendation.text)).chars(40)}"


class DevelopmentGroupForm(FrozenCheckForm):
    """A group's recommendation codes as checkboxes, limited to the recommendations of the group's chapter.

    ``chapter_choices`` is set on a subclass per page (one query for all groups of the page). A code the
    group already had but the chapter no longer lists stays shown and kept; a new one must be the chapter's.
    """

    chapter_choices = ()
    recommendations = forms.TypedMultipleChoiceField(
        label=_("aanbevelingen"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "recommendation-choices"}),
        help_text=_("Alleen de aanbevelingen van dit hoofdstuk (sectie ‘Aanbevelingen en beweging’)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(self.chapter_choices)
        own = {pk for pk, _text in choices}
        self.kept = []
        if self.instance.pk is not None:
            self.kept = [r for r in self.instance.recommendations.all() if r.pk not in own]
            self.initial["recommendations"] = [r.pk for r in self.instance.recommendations.all()]
        choices += [(r.pk, f"{_label(r)} ({_('niet bij dit hoofdstuk')})") for r in self.kept]
        self.fields["recommendations"].choices = choices
        self.fields["recommendations"].error_messages["invalid_choice"] = _(
            "Kies alleen aanbevelingen van dit hoofdstuk; voeg een aanbeveling eerst toe onder ‘Aanbevelingen en beweging’."
        )
