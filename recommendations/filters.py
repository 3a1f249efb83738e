"""The recommendation tracker's filters.

Every filter that asks "what did the report say" looks only at published chapters, and when
an edition is chosen, only at that edition's chapter. Each one is an ``EXISTS`` subquery, so a
recommendation appears once however many editions discuss it. Invalid values are ignored
(the form shows why); they never widen what is visible.
"""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from indicators.models import DataGap
from kib.choices import Territory
from kib.models import Edition
from recommendations.models import Recommendation
from themes.models import Chapter, ChapterRecommendation, DevelopmentItem, Theme

CARIBBEAN = [Territory.CN, Territory.BON, Territory.STA, Territory.SAB]
MAX_WORDS = 8


def published_themes(request=None):
    return Theme.objects.filter(Exists(Chapter.objects.published().filter(theme=OuterRef("pk"))))


def tracking_editions(request=None):
    """Published editions that follow concluding observations (the 2020 edition does not)."""
    return Edition.objects.published().filter(concluding_observations__isnull=False).order_by("-year")


class RecommendationFilter(django_filters.FilterSet):
    thema = django_filters.ModelChoiceFilter(
        label=_("Thema"),
        field_name="theme",
        to_field_name="number",
        queryset=published_themes,
        empty_label=_("Alle thema's"),
    )
    code = django_filters.CharFilter(
        label=_("Code"),
        method="filter_code",
        max_length=20,
        help_text=_("Bijv. 15b, of 15 voor alle onderdelen van paragraaf 15."),
    )
    zoek = django_filters.CharFilter(label=_("Woorden in de tekst"), method="filter_words", max_length=200)
    editie = django_filters.ModelChoiceFilter(
        label=_("Editie"),
        to_field_name="year",
        queryset=tracking_editions,
        method="filter_edition",
        empty_label=_("Alle edities"),
    )
    gebied = django_filters.ChoiceFilter(
        label=_("Gebied"),
        choices=Territory.choices,
        method="filter_territory",
        empty_label=_("Alle gebieden"),
        help_text=_("Caribisch Nederland omvat Bonaire, Sint Eustatius en Saba."),
    )
    blinde_vlek = django_filters.ChoiceFilter(
        label=_("Blinde vlekken"),
        choices=[("ja", _("met blinde vlek")), ("nee", _("zonder blinde vlek"))],
        method="filter_data_gaps",
        empty_label=_("Alle"),
    )
    beweging = django_filters.ChoiceFilter(
        label=_("Beoordeling van de beweging"),
        choices=ChapterRecommendation.Movement.choices,
        method="filter_movement",
        empty_label=_("Alle beoordelingen"),
    )

    class Meta:
        model = Recommendation
        fields = []

    # -- helpers -----------------------------------------------------------

    def chapters(self):
        """The published chapters a filter looks at: all, or the chosen edition's."""
        chapters = Chapter.objects.published()
        edition = self.form.cleaned_data.get("editie")
        if edition is not None:
            chapters = chapters.filter(edition=edition)
        return chapters

    # -- filters -----------------------------------------------------------

    def filter_code(self, queryset, name, value):
        value = value.strip().lower().replace(" ", "")
        if not value:
            return queryset
        if value.isdigit():  # a paragraph number: every recommendation of that paragraph
            return queryset.filter(Q(code=value) | Q(sort_key__startswith=f"{int(value):03d}"))
        return queryset.filter(code=value)

    def filter_words(self, queryset, name, value):
        for word in value.split()[:MAX_WORDS]:
            queryset = queryset.filter(text__icontains=word)
        return queryset

    def filter_edition(self, queryset, name, value):
        links = ChapterRecommendation.objects.filter(chapter__in=self.chapters(), recommendation=OuterRef("pk"))
        groups = self.chapters().filter(development_groups__recommendations=OuterRef("pk"))
        return queryset.filter(Exists(links) | Exists(groups))

    def filter_territory(self, queryset, name, value):
        territories = CARIBBEAN if value == Territory.CN else [value]
        items = DevelopmentItem.objects.filter(
            group__chapter__in=self.chapters(), group__recommendations=OuterRef("pk"), territory__in=territories
        )
        gaps = DataGap.objects.filter(
            chapter__in=self.chapters(), recommendation=OuterRef("pk"), territory__in=territories
        )
        return queryset.filter(Exists(items) | Exists(gaps))

    def filter_data_gaps(self, queryset, name, value):
        gaps = Exists(DataGap.objects.filter(chapter__in=self.chapters(), recommendation=OuterRef("pk")))
        return queryset.filter(gaps if value == "ja" else ~gaps)

    def filter_movement(self, queryset, name, value):
        links = ChapterRecommendation.objects.filter(
            chapter__in=self.chapters(), recommendation=OuterRef("pk"), movement=value
        )
        return queryset.filter(Exists(links))
