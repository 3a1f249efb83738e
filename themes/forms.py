"""Forms of the chapter's admin pages that are more than a model's fields."""

from django import forms
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from kib.admin_base import FrozenCheckForm
from themes.models import ChapterRecommendation


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
