"""Themes and chapters: the part of an edition that is written, reviewed and approved.

A chapter is one theme within one edition. Its parts follow the printed order:
focus and definitions, headline figure, intro question and "Zo staat het ervoor",
key figures (paragraphs and numbered figures), the recommendations, numerical
developments and policy descriptions (groups under recommendation codes), latest
developments, footnotes; Caribbean Netherlands parts are blocks marked with a territory.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kib.choices import ChoicesDisplay, Territory
from kib.db.rows import kept_query
from kib.freeze import GuardedQuerySet
from kib.reversing import reverse_once
from kib.richtext import RichTextField


class Theme(models.Model):
    number = models.PositiveSmallIntegerField(_("nummer"), unique=True)
    title = models.CharField(_("titel"), max_length=200, unique=True)
    nav_label = models.CharField(
        _("navigatielabel"), max_length=60, help_text=_("Korte naam in de navigatiebalk van de PDF en de site.")
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    objects = GuardedQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("thema")
        verbose_name_plural = _("thema's")
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1) & Q(number__lte=99), name="theme_number_in_range"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class ChapterQuerySet(models.QuerySet):
    def published(self):
        """Chapters the public may see: those of published editions."""
        return self.filter(edition__state="published")


class Chapter(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("concept")
        SUBMITTED = "submitted", _("ingediend")
        APPROVED = "approved", _("goedgekeurd")

    class HeadlineKind(models.TextChoices):
        TWO_PERIODS = "two_periods", _("twee jaren vergeleken")
        TWO_GROUPS = "two_groups", _("twee groepen vergeleken")
        METRICS = "metrics", _("meerdere kengetallen voor één periode")
        NONE = "none", _("geen kerncijfer (met toelichting)")

    edition = models.ForeignKey("kib.Edition", on_delete=models.CASCADE, related_name="chapters", verbose_name=_("editie"))
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="chapters", verbose_name=_("thema"))
    title = models.CharField(
        _("hoofdstuktitel"), max_length=200, blank=True, help_text=_("Zoals gedrukt; leeg = de titel van het thema.")
    )
    lead_organisation = models.ForeignKey(
        "kib.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_chapters",
        verbose_name=_("trekkende organisatie"),
    )
    contributing_organisations = models.ManyToManyField(
        "kib.Organisation", blank=True, related_name="contributed_chapters", verbose_name=_("bijdragende organisaties")
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.DRAFT, editable=False)
    version = models.PositiveIntegerField(
        _("versie"), default=1, editable=False, help_text=_("Verhoogd bij elke opslag; voorkomt dat een collega overschreven wordt.")
    )

    focus = models.CharField(_("focus"), max_length=300, blank=True)
    focus_text = RichTextField(_("focustekst"), blank=True, help_text=_("Het uitgangspunt onder FOCUS, bijvoorbeeld een verdragsartikel."))
    headline_kind = models.CharField(
        _("soort kerncijfer"), max_length=20, choices=HeadlineKind.choices, default=HeadlineKind.TWO_PERIODS
    )
    headline_label = models.CharField(_("kerncijfer: omschrijving"), max_length=300, blank=True)
    headline_note = RichTextField(
        _("kerncijfer: toelichting"), blank=True, help_text=_("Verplicht als er geen kerncijfer is: waarom niet.")
    )
    intro_question = models.TextField(_("inleidende vraag"), blank=True)
    summary = RichTextField(_("Zo staat het ervoor"), blank=True)

    recommendations = models.ManyToManyField(
        "recommendations.Recommendation",
        through="ChapterRecommendation",
        related_name="chapters",
        blank=True,
        verbose_name=_("aanbevelingen"),
    )
    updated_at = models.DateTimeField(_("laatst gewijzigd"), auto_now=True)
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("laatst bewerkt door"),
        help_text=_("Wie de huidige versie schreef; die persoon keurt haar niet zelf goed (vier ogen)."),
    )

    history = HistoricalRecords(excluded_fields=["version", "updated_at", "revised_by"])
    objects = ChapterQuerySet.as_manager()

    class Meta:
        ordering = ["edition", "theme__number"]
        verbose_name = _("hoofdstuk")
        verbose_name_plural = _("hoofdstukken")
        constraints = [
            models.UniqueConstraint(fields=["edition", "theme"], name="chapter_unique_theme_per_edition"),
        ]

    def __str__(self):
        return f"{self.edition.year} · {self.theme.number}. {self.display_title}"

    @property
    def display_title(self):
        return self.title or self.theme.title

    def get_absolute_url(self):
        return reverse_once("public:chapter", self.edition.year, self.theme.slug)


class ChapterPart(ChoicesDisplay, models.Model):
    """Common shape of every ordered part of a chapter."""

    position = models.PositiveIntegerField(_("volgorde"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    @property
    def owning_chapter(self):
        return self.chapter


class ChapterRecommendation(ChapterPart):
    """A recommendation as listed in a chapter, with the editors' assessment of movement."""

    class Movement(models.TextChoices):
        PROGRESS = "progress", _("vooruitgang")
        NO_CHANGE = "no_change", _("geen verandering")
        REGRESSION = "regression", _("achteruitgang")
        UNCLEAR = "unclear", _("onduidelijk")

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="chapter_recommendations", verbose_name=_("hoofdstuk"))
    recommendation = models.ForeignKey(
        "recommendations.Recommendation", on_delete=models.PROTECT, related_name="chapter_links", verbose_name=_("aanbeveling")
    )
    movement = models.CharField(_("beweging sinds vorige editie"), max_length=20, choices=Movement.choices, blank=True)
    movement_reasoning = models.TextField(_("onderbouwing"), blank=True)
    history = HistoricalRecords()

    class Meta(ChapterPart.Meta):
        verbose_name = _("aanbeveling in hoofdstuk")
        verbose_name_plural = _("aanbevelingen in hoofdstuk")
        constraints = [
            models.UniqueConstraint(fields=["chapter", "recommendation"], name="chapter_recommendation_unique"),
        ]

    def __str__(self):
        return str(self.recommendation)

    def clean(self):
        if self.movement_reasoning.strip() and not self.movement:
            raise ValidationError({"movement": _("Kies de beweging waar deze onderbouwing bij hoort.")})


class Definition(ChapterPart):
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="definitions", verbose_name=_("hoofdstuk"))
    label = models.CharField(_("label"), max_length=120, default="definitie", help_text=_("Zoals gedrukt, bijv. 'definitie jeugdhulp'."))
    question = models.CharField(_("vraag"), max_length=300, blank=True)
    body = RichTextField(_("tekst"), blank=True, help_text=_("Tekst of een lijst met punten."))
    source_name = models.CharField(_("bron"), max_length=300, blank=True)
    citations = GenericRelation("themes.Citation")
    history = HistoricalRecords()

    class Meta(ChapterPart.Meta):
        verbose_name = _("definitie")
        verbose_name_plural = _("definities")

    def __str__(self):
        return self.question or self.label


class HeadlineValue(ChapterPart):
    """One value of the headline key figure: a year, a group or a metric."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="headline_values", verbose_name=_("hoofdstuk"))
    label = models.CharField(_("label"), max_length=120, help_text=_("Jaar, groep of kengetal, bijv. '2023' of 'meisjes'."))
    value = models.DecimalField(_("waarde"), max_digits=14, decimal_places=3, null=True, blank=True)
    display = models.CharField(_("weergave"), max_length=40, blank=True, help_text=_("Zoals gedrukt, bijv. '6.351' of '18%'."))
    unit = models.CharField(_("eenheid"), max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta(ChapterPart.Meta):
        verbose_name = _("kerncijfer-waarde")
        verbose_name_plural = _("kerncijfer-waarden")

    def __str__(self):
        return f"{self.label}: {self.display or self.value}"


class Figure(ChapterPart):
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="figures", verbose_name=_("hoofdstuk"))
    number = models.PositiveSmallIntegerField(_("nummer"))
    title = models.CharField(_("titel"), max_length=400)
    description = RichTextField(_("beschrijving"), blank=True)
    source_line = models.CharField(_("bronregel"), max_length=400, blank=True, help_text=_("Gedrukt als 'Bron: …'."))
    footnote = models.TextField(_("voetnoot"), blank=True)
    printed_without_chart = models.BooleanField(
        _("gedrukt zonder grafiek"),
        default=False,
        help_text=_("Er zijn (nog) geen cijfers voor deze figuur: zij verschijnt met de toelichting in plaats van een grafiek."),
    )
    no_chart_note = models.TextField(
        _("toelichting zonder grafiek"),
        blank=True,
        help_text=_("Verplicht bij 'gedrukt zonder grafiek': waarom er geen grafiek is, zoals gedrukt."),
    )
    citations = GenericRelation("themes.Citation")
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name = _("figuur")
        verbose_name_plural = _("figuren")
        constraints = [
            models.UniqueConstraint(fields=["chapter", "number"], name="figure_unique_number_per_chapter"),
            models.CheckConstraint(condition=Q(number__gte=1), name="figure_number_positive"),
        ]

    def __str__(self):
        return f"Figuur {self.number}. {self.title}"

    def clean(self):
        if self.printed_without_chart and not self.no_chart_note.strip():
            raise ValidationError(
                {"no_chart_note": _("Schrijf waarom deze figuur zonder grafiek verschijnt; die toelichting wordt gedrukt.")}
            )


class Block(ChapterPart):
    """A printed block: optional title, text, optionally a figure placed here."""

    title = models.CharField(_("titel"), max_length=400, blank=True)
    territory = models.CharField(_("gebied"), max_length=3, choices=Territory.choices, default=Territory.NL)
    body = RichTextField(_("tekst"), blank=True)
    figure = models.ForeignKey(
        Figure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("figuur"),
        help_text=_("Plaats hier een genummerde figuur van dit hoofdstuk."),
    )
    citations = GenericRelation("themes.Citation")

    class Meta(ChapterPart.Meta):
        abstract = True

    def __str__(self):
        return self.title or (str(self.figure) if self.figure_id else str(_("(alinea)")))


class KeyFigureParagraph(Block):
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="key_figures", verbose_name=_("hoofdstuk"))
    subheading = models.CharField(_("tussenkop"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta(Block.Meta):
        verbose_name = _("kengetal-alinea")
        verbose_name_plural = _("kengetallen")


class DevelopmentGroup(ChapterPart):
    class Kind(models.TextChoices):
        NUMERICAL = "numerical", _("cijfermatige ontwikkelingen")
        POLICY = "policy", _("beleidsbeschrijvingen")

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="development_groups", verbose_name=_("hoofdstuk"))
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("titel"), max_length=400, blank=True)
    printed_codes = models.CharField(
        _("codes zoals gedrukt"),
        max_length=120,
        blank=True,
        help_text=_("Bijv. '42b(iii)' voor een onderdeel van aanbeveling 42; leeg = de codes van de gekoppelde aanbevelingen."),
    )
    recommendations = models.ManyToManyField(
        "recommendations.Recommendation", related_name="development_groups", verbose_name=_("aanbevelingen")
    )
    history = HistoricalRecords(m2m_fields=[recommendations])

    class Meta(ChapterPart.Meta):
        ordering = ["kind", "position", "pk"]
        verbose_name = _("groep ontwikkelingen")
        verbose_name_plural = _("groepen ontwikkelingen")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    def codes(self):
        linked = getattr(self, "linked_codes", None)  # set for many groups at once by load_linked_codes
        if linked is None:
            linked = [r.code for r in sorted(self.recommendations.all(), key=lambda r: r.sort_key)]
        return self.codes_from(linked)

    @classmethod
    def load_linked_codes(cls, groups):
        """Each of ``groups`` gets ``linked_codes``, its linked recommendations' codes in order, in one plain query.

        What ``codes`` otherwise reads from the recommendations: a prefetch of them cost more in its bookkeeping
        per group (a manager and a filtered queryset each, over the join) than the query itself.
        """
        by_pk = {group.pk: group for group in groups}
        for group in groups:
            group.linked_codes = []
        if by_pk:
            for group_id, code in _linked_codes(list(by_pk)):
                by_pk[group_id].linked_codes.append(code)
        return groups

    def codes_from(self, linked):
        """The codes as printed: ``printed_codes`` when filled in, else ``linked`` (the linked recommendations' codes, in order)."""
        if self.printed_codes:
            return [code.strip() for code in self.printed_codes.split(",") if code.strip()]
        return linked


@kept_query
def _linked_codes(group_ids):
    """(group id, code) of the recommendations linked to these groups, in the tracker's order of the codes."""
    through = DevelopmentGroup.recommendations.through.objects.filter(developmentgroup__in=group_ids)
    return through.values_list("developmentgroup_id", "recommendation__code").order_by(
        "recommendation__sort_key", "recommendation__concluding_observations", "recommendation__pk"
    )


class DevelopmentItem(Block):
    group = models.ForeignKey(DevelopmentGroup, on_delete=models.CASCADE, related_name="items")
    history = HistoricalRecords()

    class Meta(Block.Meta):
        verbose_name = _("ontwikkeling")
        verbose_name_plural = _("ontwikkelingen")

    @property
    def owning_chapter(self):
        return self.group.chapter


class LatestDevelopment(Block):
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="latest_developments", verbose_name=_("hoofdstuk"))
    subheading = models.CharField(_("tussenkop"), max_length=300, blank=True)
    date = models.DateField(_("datum"), null=True, blank=True, help_text=_("Mag na de verslagperiode liggen."))
    history = HistoricalRecords()

    class Meta(Block.Meta):
        verbose_name = _("laatste ontwikkeling")
        verbose_name_plural = _("laatste ontwikkelingen")


class ChapterSection(ChapterPart):
    """A free section, for editions with another structure (e.g. 2020: concerns and figures)."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="sections", verbose_name=_("hoofdstuk"))
    title = models.CharField(_("titel"), max_length=300)
    body = RichTextField(_("tekst"), blank=True)
    history = HistoricalRecords()

    class Meta(ChapterPart.Meta):
        verbose_name = _("vrije sectie")
        verbose_name_plural = _("vrije secties")

    def __str__(self):
        return self.title


class Footnote(ChapterPart):
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="footnotes", verbose_name=_("hoofdstuk"))
    marker = models.CharField(
        _("teken"),
        max_length=8,
        default="*",
        blank=True,
        help_text=_("Leeg: automatisch genummerd (1, 2, 3…) in de volgorde van het rapport, achter de tekst van het onderdeel."),
    )
    text = models.TextField(_("tekst"))
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("soort onderdeel")
    )
    object_id = models.PositiveBigIntegerField(_("nummer van het onderdeel"), null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    history = HistoricalRecords()

    class Meta(ChapterPart.Meta):
        verbose_name = _("voetnoot")
        verbose_name_plural = _("voetnoten")

    def __str__(self):
        return f"{self.marker or '#'} {self.text[:60]}"


class Citation(ChapterPart):
    """A source cited from one part of a chapter (a definition, a block, a figure)."""

    source = models.ForeignKey("kib.Source", on_delete=models.PROTECT, related_name="citations", verbose_name=_("bron"))
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="citations", verbose_name=_("hoofdstuk"))
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("soort onderdeel")
    )
    object_id = models.PositiveBigIntegerField(_("nummer van het onderdeel"), null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")

    class Meta(ChapterPart.Meta):
        verbose_name = _("bronvermelding")
        verbose_name_plural = _("bronvermeldingen")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "chapter", "content_type", "object_id"], name="citation_unique_per_part"
            ),
        ]

    def __str__(self):
        return str(self.source)

