"""Key figures as data: indicators, their observations, and the data gaps ("blinde vlekken").

A numbered figure of a chapter draws its chart from indicator series (``Chart`` with its
``FigureSeries``); a chapter's headline figure can compare two periods of one series
(``HeadlineSeries``). Every confirmed spreadsheet import leaves one ``ImportLog`` entry.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kib.choices import ChoicesDisplay, Territory
from kib.freeze import GuardedQuerySet
from kib.reversing import reverse_once

# "2023", a school year "2022-2023", or a span of years "2017-2021".
PERIOD_PATTERN = r"^[0-9]{4}(-[0-9]{4})?$"
_PERIOD_RE = re.compile(PERIOD_PATTERN)


def validate_period(value):
    if not _PERIOD_RE.match(value or ""):
        raise ValidationError(
            _("Periode '%(value)s' is geen jaar (2023) of schooljaar (2022-2023)."), params={"value": value}
        )
    if "-" in value:
        start, end = (int(part) for part in value.split("-"))
        if end <= start:
            raise ValidationError(_("Periode '%(value)s' moet eindigen na het beginjaar."), params={"value": value})


def period_sort_key(period):
    """Order periods by first year, then last year: 2019 < 2019-2022 < 2021-2022 < 2022 < 2023."""
    start, _sep, end = (period or "").partition("-")
    try:
        return (int(start), int(end or start))
    except ValueError:
        return (9999, 9999)


class IndicatorQuerySet(GuardedQuerySet):
    def published(self):
        """Indicators the public may see: those a published chapter draws, in a figure or its headline figure.

        An indicator typed in for a chapter that is still a draft stays off the public site until that
        chapter's edition is published.
        """
        from themes.models import Chapter

        published = Chapter.objects.published()
        in_figure = FigureSeries.objects.filter(indicator=models.OuterRef("pk"), chart__figure__chapter__in=published)
        in_headline = HeadlineSeries.objects.filter(indicator=models.OuterRef("pk"), chapter__in=published)
        return self.filter(models.Exists(in_figure) | models.Exists(in_headline))

    def with_series(self):
        """Annotate what identifies each indicator's published series: "count:last" of its public
        observations (``series_rows``: how many, and the highest id, the newest row).

        With ``series_version`` (raised by every publication that draws the indicator) and the code, this
        is the fingerprint a stored CSV is checked against (``IndicatorFile``): rows added or removed
        without a publication (an archive restored into the database) change it too. One subquery on
        the indicator's own rows (a pass over its index); ``csv_file`` comes along in the same query.
        """
        text = models.CharField()
        public = Observation.objects.filter(indicator=models.OuterRef("pk"), public=True).order_by().values("indicator")
        rows = Concat(Cast(models.Count("pk"), text), Value(":"), Cast(models.Max("pk"), text), output_field=text)
        return self.select_related("csv_file").annotate(
            series_rows=models.Subquery(public.annotate(rows=rows).values("rows"), output_field=text)
        )


class Indicator(models.Model):
    theme = models.ForeignKey(
        "themes.Theme", on_delete=models.PROTECT, related_name="indicators", verbose_name=_("thema")
    )
    code = models.SlugField(
        _("code"), max_length=80, unique=True, help_text=_("Korte, vaste sleutel; gebruikt in importbestanden.")
    )
    name = models.CharField(_("naam"), max_length=300)
    unit = models.CharField(_("eenheid"), max_length=60, default="aantal")
    definition = models.TextField(_("definitie"), blank=True)
    sources = models.ManyToManyField("kib.Source", blank=True, related_name="indicators", verbose_name=_("bronnen"))
    # Raised by every publication (or closed correction) that draws this indicator
    # (``services.raise_series_versions``): its published series may have changed, so a stored CSV
    # of the series before is stale (``IndicatorFile.fingerprint``).
    series_version = models.PositiveIntegerField(_("versie van de openbare reeks"), default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["series_version"])  # a publication's count, not an edit

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["theme__number", "name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicatoren")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_once("public:indicator", self.code)

    @property
    def series_fingerprint(self):
        """What the public CSV of this indicator is made from, as one string (needs ``with_series()``)."""
        return f"{self.series_version}:{self.series_rows or '0:0'}:{self.code}"


class ObservationQuerySet(GuardedQuerySet):
    def public(self):
        """What the public may see: figures published with an edition. Every public view reads through this,
        and shows each one ``as_published()``."""
        return self.filter(public=True)


class Observation(ChoicesDisplay, models.Model):
    class Flag(models.TextChoices):
        NONE = "", _("—")
        PROVISIONAL = "provisional", _("voorlopig")
        ESTIMATE = "estimate", _("schatting")
        SUPPRESSED = "suppressed", _("klein aantal onderdrukt (minder dan de waarde)")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    period = models.CharField(_("periode"), max_length=9, validators=[RegexValidator(PERIOD_PATTERN), validate_period])
    territory = models.CharField(_("gebied"), max_length=3, choices=Territory.choices, default=Territory.NL)
    sex = models.CharField(_("geslacht"), max_length=20, blank=True, help_text=_("Leeg = totaal."))
    age_group = models.CharField(_("leeftijdsgroep"), max_length=40, blank=True, help_text=_("Leeg = totaal."))
    breakdown = models.CharField(
        _("uitsplitsing"), max_length=120, blank=True, help_text=_("Overige uitsplitsing; leeg = totaal.")
    )
    value = models.DecimalField(_("waarde"), max_digits=16, decimal_places=3)
    flag = models.CharField(_("vlag"), max_length=20, choices=Flag.choices, blank=True, default="")
    note = models.CharField(_("toelichting"), max_length=500, blank=True)
    public = models.BooleanField(
        _("openbaar"),
        default=False,
        help_text=_(
            "Wordt openbaar wanneer een editie die het kengetal gebruikt verschijnt (of een correctie wordt "
            "afgesloten); tot dan staat het cijfer alleen in de redactie en in conceptversies."
        ),
    )
    # What the public sees: value, flag and note as they were when an edition drawing the indicator was
    # last published (or a correction closed). A later edit waits in value/flag/note until then.
    published_value = models.DecimalField(
        _("openbare waarde"), max_digits=16, decimal_places=3, null=True, blank=True, editable=False
    )
    published_flag = models.CharField(_("openbare vlag"), max_length=20, blank=True, default="", editable=False)
    published_note = models.CharField(_("openbare toelichting"), max_length=500, blank=True, editable=False)
    history = HistoricalRecords()

    objects = ObservationQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "period", "territory", "sex", "age_group", "breakdown"]
        verbose_name = _("waarneming")
        verbose_name_plural = _("waarnemingen")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "territory", "sex", "age_group", "breakdown"],
                name="observation_unique_cell",
            ),
            models.CheckConstraint(condition=Q(period__regex=PERIOD_PATTERN), name="observation_period_format"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.period}: {self.value}"

    def as_published(self):
        """This observation as published (for public pages only: the instance then holds the published
        value, flag and note). Returns the instance."""
        self.value, self.flag, self.note = self.published_value, self.published_flag, self.published_note
        return self

    @property
    def cell_key(self):
        """The natural key of the cell, as used by the import."""
        return (self.indicator_id, self.period, self.territory, self.sex, self.age_group, self.breakdown)


class DataGap(ChoicesDisplay, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        PARTLY = "partly", _("deels opgelost")
        CLOSED = "closed", _("opgelost")

    chapter = models.ForeignKey(
        "themes.Chapter", on_delete=models.CASCADE, related_name="data_gaps", verbose_name=_("hoofdstuk")
    )
    description = models.TextField(_("wat ontbreekt"))
    holder = models.CharField(_("wie heeft de data"), max_length=300, blank=True)
    recommendation = models.ForeignKey(
        "recommendations.Recommendation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="data_gaps",
        verbose_name=_("aanbeveling"),
        help_text=_("De aanbeveling waarvoor deze cijfers nodig zijn (optioneel)."),
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="data_gaps",
        verbose_name=_("indicator"),
        help_text=_("De indicator die onvolledig is (optioneel)."),
    )
    territory = models.CharField(
        _("gebied"), max_length=3, choices=Territory.choices, blank=True, help_text=_("Leeg = heel het Koninkrijk.")
    )
    first_noted_in = models.ForeignKey(
        "kib.Edition",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("eerst gesignaleerd in"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.OPEN,
        help_text=_("Open en deels opgeloste blinde vlekken gaan mee naar de volgende editie."),
    )
    position = models.PositiveIntegerField(_("volgorde"), default=0)
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="carried_to",
        verbose_name=_("overgenomen uit"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("blinde vlek")
        verbose_name_plural = _("blinde vlekken")

    def __str__(self):
        return self.description[:80]

    @property
    def owning_chapter(self):
        return self.chapter

    @property
    def meta_parts(self):
        """Where, which recommendation, who holds the data, since when, status — as printed under the gap."""
        parts = []
        if self.territory:
            parts.append(str(self.get_territory_display()))
        if self.recommendation_id:
            parts.append(_("Aanbeveling %(code)s") % {"code": self.recommendation.code})
        if self.holder:
            parts.append(_("Gegevens bij: %(holder)s") % {"holder": self.holder})
        if self.first_noted_in_id:
            parts.append(_("Gesignaleerd sinds %(year)s") % {"year": self.first_noted_in.year})
        if self.status != self.Status.OPEN:
            parts.append(str(self.get_status_display()).capitalize())
        return parts


class Chart(models.Model):
    """How a numbered figure is drawn from indicator data."""

    class Kind(models.TextChoices):
        BAR = "bar", _("staafdiagram")
        GROUPED_BAR = "grouped_bar", _("gegroepeerd staafdiagram")
        LINE = "line", _("lijndiagram")
        TABLE = "table", _("tabel")

    figure = models.OneToOneField(
        "themes.Figure", on_delete=models.CASCADE, related_name="chart", verbose_name=_("figuur")
    )
    kind = models.CharField(
        _("soort grafiek"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.BAR,
        help_text=_(
            "Staaf: één reeks per periode of per groep. Gegroepeerd: meerdere reeksen naast elkaar per periode. "
            "Lijn: ontwikkeling over de jaren. Tabel: alle cijfers als tabel (altijd bij verschillende eenheden)."
        ),
    )
    periods = models.CharField(
        _("perioden"),
        max_length=500,
        blank=True,
        help_text=_("Alleen deze perioden tonen, gescheiden door komma's (bijv. '2019, 2023'); leeg = alle perioden."),
    )
    periods_pinned = models.BooleanField(
        _("perioden vastgezet bij publicatie"),
        default=False,
        editable=False,
        help_text=_(
            "De perioden zijn bij het publiceren vastgelegd; de volgende editie begint weer met alle perioden."
        ),
    )
    window = models.PositiveSmallIntegerField(
        _("laatste perioden"),
        null=True,
        blank=True,
        help_text=_(
            "Toon alleen de laatste zoveel perioden met cijfers (bijv. 10); leeg = alle. Een grafiek die naar de "
            "volgende editie gaat, houdt dit venster: ze schuift een jaar op in plaats van elk jaar breder te worden."
        ),
    )
    value_label = models.CharField(
        _("omschrijving van de waarden"),
        max_length=120,
        blank=True,
        help_text=_("Bijv. 'aantal kinderen'; leeg = de eenheid van de indicator."),
    )
    history = HistoricalRecords()
    objects = GuardedQuerySet.as_manager()

    class Meta:
        ordering = ["figure__chapter__edition", "figure__chapter__theme__number", "figure__number"]
        verbose_name = _("grafiek")
        verbose_name_plural = _("grafieken")

    def __str__(self):
        return str(self.figure)

    @property
    def owning_chapter(self):
        return self.figure.chapter

    def period_list(self):
        return [p.strip() for p in self.periods.split(",") if p.strip()]

    def shown_periods(self, available):
        """Of the periods with data (``available``), those this chart draws, oldest first.

        Named periods win (an editor's choice, or pinned at publication); else the window of
        the last ``window`` periods; else all of them.
        """
        periods = sorted(set(available), key=period_sort_key)
        named = set(self.period_list())
        if named:
            return [p for p in periods if p in named]
        if self.window:
            return periods[-self.window :]
        return periods

    def clean(self):
        for period in self.period_list():
            try:
                validate_period(period)
            except ValidationError as exc:
                raise ValidationError({"periods": exc.messages}) from None


SPLIT = "*"


class FigureSeries(models.Model):
    """One indicator series in a chart, narrowed by territory and breakdown."""

    TERRITORY_CHOICES = [*Territory.choices, (SPLIT, _("elk gebied apart"))]

    chart = models.ForeignKey(Chart, on_delete=models.CASCADE, related_name="series", verbose_name=_("grafiek"))
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="figure_series", verbose_name=_("indicator")
    )
    label = models.CharField(
        _("naam in de legenda"), max_length=200, blank=True, help_text=_("Leeg = de naam van de indicator.")
    )
    territory = models.CharField(_("gebied"), max_length=3, choices=TERRITORY_CHOICES, default=Territory.NL)
    sex = models.CharField(
        _("geslacht"), max_length=20, blank=True, help_text=_("Leeg = totaal; * = elke waarde als aparte reeks.")
    )
    age_group = models.CharField(
        _("leeftijdsgroep"), max_length=40, blank=True, help_text=_("Leeg = totaal; * = elke waarde als aparte reeks.")
    )
    breakdown = models.CharField(
        _("uitsplitsing"), max_length=120, blank=True, help_text=_("Leeg = totaal; * = elke waarde als aparte reeks.")
    )
    position = models.PositiveIntegerField(_("volgorde"), default=0)
    history = HistoricalRecords()
    objects = GuardedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("reeks in grafiek")
        verbose_name_plural = _("reeksen in grafiek")

    def __str__(self):
        return self.label or self.indicator.name

    @property
    def owning_chapter(self):
        return self.chart.figure.chapter

    def matches(self, observation):
        return all(
            getattr(self, field) in (SPLIT, getattr(observation, field))
            for field in ("territory", "sex", "age_group", "breakdown")
        )

    def observations(self):
        """The observations this series draws."""
        qs = self.indicator.observations.all()
        for field in ("territory", "sex", "age_group", "breakdown"):
            value = getattr(self, field)
            if value != SPLIT:
                qs = qs.filter(**{field: value})
        return qs


class HeadlineSeries(models.Model):
    """The series behind a chapter's headline figure when it compares two periods."""

    chapter = models.OneToOneField(
        "themes.Chapter", on_delete=models.CASCADE, related_name="headline_series", verbose_name=_("hoofdstuk")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="headline_series", verbose_name=_("indicator")
    )
    period_from = models.CharField(
        _("van periode"),
        max_length=9,
        blank=True,
        validators=[validate_period],
        help_text=_("Leeg = de oudste periode met een cijfer."),
    )
    period_to = models.CharField(
        _("tot periode"),
        max_length=9,
        blank=True,
        validators=[validate_period],
        help_text=_("Leeg = de nieuwste periode met een cijfer."),
    )
    territory = models.CharField(_("gebied"), max_length=3, choices=Territory.choices, default=Territory.NL)
    sex = models.CharField(_("geslacht"), max_length=20, blank=True, help_text=_("Leeg = totaal."))
    age_group = models.CharField(_("leeftijdsgroep"), max_length=40, blank=True, help_text=_("Leeg = totaal."))
    breakdown = models.CharField(_("uitsplitsing"), max_length=120, blank=True, help_text=_("Leeg = totaal."))
    history = HistoricalRecords()
    objects = GuardedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kerncijferreeks")
        verbose_name_plural = _("kerncijferreeksen")

    def __str__(self):
        return f"{self.chapter}: {self.indicator}"

    @property
    def owning_chapter(self):
        return self.chapter

    @property
    def filters(self):
        return {"territory": self.territory, "sex": self.sex, "age_group": self.age_group, "breakdown": self.breakdown}


class ImportLog(models.Model):
    """One entry per confirmed spreadsheet import (the rows themselves are in the history)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("door"),
    )
    created_at = models.DateTimeField(_("tijdstip"), auto_now_add=True)
    file_name = models.CharField(_("bestand"), max_length=255, blank=True)
    file_format = models.CharField(_("formaat"), max_length=10, blank=True)
    total_rows = models.PositiveIntegerField(_("rijen"), default=0)
    new = models.PositiveIntegerField(_("nieuw"), default=0)
    updated = models.PositiveIntegerField(_("gewijzigd"), default=0)
    unchanged = models.PositiveIntegerField(_("ongewijzigd"), default=0)
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="+", verbose_name=_("indicatoren"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%d-%m-%Y %H:%M})"


class IndicatorFile(models.Model):
    """The stored CSV of one indicator's published series (``/cijfers/<code>.csv``), made once per publication.

    Built after a publication or closed correction that draws the indicator, and by the first
    download that finds it missing or stale (``kib.publication.datafiles``); stored with its size and
    SHA-256 like an edition's files. ``fingerprint`` is the ``Indicator.series_fingerprint`` of the
    series it was made from: while the live series has another one, the file is not served.
    """

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="csv_file", verbose_name=_("indicator")
    )
    fingerprint = models.CharField(_("vingerafdruk van de reeks"), max_length=160)
    file = models.FileField(_("bestand"), upload_to="cijfers/", max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("grootte (bytes)"))
    created_at = models.DateTimeField(_("gemaakt op"))

    class Meta:
        verbose_name = _("opgeslagen cijferbestand")
        verbose_name_plural = _("opgeslagen cijferbestanden")

    def __str__(self):
        return self.filename

    @property
    def filename(self):
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""
