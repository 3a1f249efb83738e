"""The recommendation tracker's filters.

Every filter that asks "what did the report say" looks only at published chapters, and when
an edition is chosen, only at that edition's chapter. Each one is an ``EXISTS`` subquery, so a
recommendation appears once however many editions discuss it.

The values in the URL are Dutch (``?beweging=vooruitgang&gebied=bonaire&thema=migratie``); the
English or coded values of earlier links (``progress``, ``BON``, a theme number) are accepted as
aliases. An unknown value is named on the page ("onbekende waarde") and the list stays empty
until it is corrected: it never silently falls back to every recommendation.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from indicators.models import DataGap
from kib.choices import Territory
from kib.form_renderer import FAST
from kib.models import Edition
from recommendations.models import Recommendation
from themes.models import Chapter, ChapterRecommendation, DevelopmentItem, Theme

CARIBBEAN = [Territory.CN, Territory.BON, Territory.STA, Territory.SAB]
MAX_WORDS = 8

Movement = ChapterRecommendation.Movement
# Dutch URL value -> stored value, and the English aliases of each Dutch value.
MOVEMENTS = {
    "vooruitgang": Movement.PROGRESS,
    "geen-verandering": Movement.NO_CHANGE,
    "achteruitgang": Movement.REGRESSION,
    "onduidelijk": Movement.UNCLEAR,
}
MOVEMENT_ALIASES = {stored.value: dutch for dutch, stored in MOVEMENTS.items()} | {"no-change": "geen-verandering"}
TERRITORIES = {
    "europees-nederland": Territory.NL,
    "caribisch-nederland": Territory.CN,
    "bonaire": Territory.BON,
    "sint-eustatius": Territory.STA,
    "saba": Territory.SAB,
}
TERRITORY_ALIASES = {stored.value.lower(): dutch for dutch, stored in TERRITORIES.items()}
DATA_GAP_ALIASES = {"yes": "ja", "no": "nee"}


def unknown_value_message(choices):
    return format_lazy("{}{}", _("onbekende waarde ‘%(value)s’; kies uit: "), ", ".join(value for value, label in choices))


class AliasChoiceField(django_filters.fields.ChoiceField):
    """A choice of Dutch values that also accepts aliases (``progress`` for ``vooruitgang``), any case."""

    def __init__(self, *args, aliases=None, **kwargs):
        self.aliases = aliases or {}
        super().__init__(*args, **kwargs)
        self.error_messages["invalid_choice"] = unknown_value_message(self.choices[1:])

    def to_python(self, value):
        value = super().to_python(value).strip().lower()
        return self.aliases.get(value, value)


class AliasChoiceFilter(django_filters.ChoiceFilter):
    field_class = AliasChoiceField


class ThemeChoiceField(django_filters.fields.ModelChoiceField):
    """A theme by its slug (``migratie``); its number (``8``) is an alias."""

    def to_python(self, value):
        value = (value or "").strip().lower()
        if value.isdigit():
            theme = self.queryset.filter(number=int(value)).first() if len(value) < 3 else None
            value = theme.slug if theme is not None else value
        return super().to_python(value)


class ThemeChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ThemeChoiceField


def published_themes(request=None):
    return Theme.objects.filter(Exists(Chapter.objects.published().filter(theme=OuterRef("pk"))))


def tracking_editions(request=None):
    """Published editions that follow concluding observations (the 2020 edition does not)."""
    return Edition.objects.published().filter(concluding_observations__isnull=False).order_by("-year")


class FilterForm(forms.Form):
    """The tracker's form: its labels, inputs and selects written without a template each (the same HTML,
    ``kib.form_renderer``); through the templates, its seven fields were a quarter of the page."""

    default_renderer = FAST


class RecommendationFilter(django_filters.FilterSet):
    thema = ThemeChoiceFilter(
        label=_("Thema"),
        field_name="theme",
        to_field_name="slug",
        queryset=published_themes,
        empty_label=_("Alle thema's"),
        error_messages={"invalid_choice": _("onbekende waarde ‘%(value)s’; kies een thema uit de lijst")},
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
        error_messages={"invalid_choice": _("onbekende waarde ‘%(value)s’; kies een gepubliceerde editie uit de lijst")},
    )
    gebied = AliasChoiceFilter(
        label=_("Gebied"),
        choices=[(dutch, stored.label) for dutch, stored in TERRITORIES.items()],
        aliases=TERRITORY_ALIASES,
        method="filter_territory",
        empty_label=_("Alle gebieden"),
        help_text=_("Caribisch Nederland omvat Bonaire, Sint Eustatius en Saba."),
    )
    blinde_vlek = AliasChoiceFilter(
        label=_("Blinde vlekken"),
        choices=[("ja", _("met blinde vlek")), ("nee", _("zonder blinde vlek"))],
        aliases=DATA_GAP_ALIASES,
        method="filter_data_gaps",
        empty_label=_("Alle"),
    )
    beweging = AliasChoiceFilter(
        label=_("Beoordeling van de beweging"),
        choices=[(dutch, stored.label) for dutch, stored in MOVEMENTS.items()],
        aliases=MOVEMENT_ALIASES,
        method="filter_movement",
        empty_label=_("Alle beoordelingen"),
    )

    class Meta:
        model = Recommendation
        fields = []
        form = FilterForm

    @property
    def qs(self):
        """No recommendations at all while a filter holds an unknown value: never a silent "everything"."""
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs

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
        value = TERRITORIES[value]
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
            chapter__in=self.chapters(), recommendation=OuterRef("pk"), movement=MOVEMENTS[value]
        )
        return queryset.filter(Exists(links))
