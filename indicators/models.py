"""Key figures as data: indicators, their observations, and the data gaps ("blinde vlekken")."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kib.choices import Territory

# "2023" or a school year "2022-2023".
PERIOD_PATTERN = r"^[0-9]{4}(-[0-9]{4})?$"
_PERIOD_RE = re.compile(PERIOD_PATTERN)


def validate_period(value):
    if not _PERIOD_RE.match(value or ""):
        raise ValidationError(_("Periode '%(value)s' is geen jaar (2023) of schooljaar (2022-2023)."), params={"value": value})
    if "-" in value:
        start, end = (int(part) for part in value.split("-"))
        if end != start + 1:
            raise ValidationError(_("Schooljaar '%(value)s' moet twee opeenvolgende jaren zijn."), params={"value": value})


class Indicator(models.Model):
    theme = models.ForeignKey("themes.Theme", on_delete=models.PROTECT, related_name="indicators", verbose_name=_("thema"))
    code = models.SlugField(_("code"), max_length=80, unique=True, help_text=_("Korte, vaste sleutel; gebruikt in importbestanden."))
    name = models.CharField(_("naam"), max_length=300)
    unit = models.CharField(_("eenheid"), max_length=60, default="aantal")
    definition = models.TextField(_("definitie"), blank=True)
    sources = models.ManyToManyField("kib.Source", blank=True, related_name="indicators", verbose_name=_("bronnen"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["theme__number", "name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicatoren")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("public:indicator", args=[self.code])


class Observation(models.Model):
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
    breakdown = models.CharField(_("uitsplitsing"), max_length=120, blank=True, help_text=_("Overige uitsplitsing; leeg = totaal."))
    value = models.DecimalField(_("waarde"), max_digits=16, decimal_places=3)
    flag = models.CharField(_("vlag"), max_length=20, choices=Flag.choices, blank=True, default="")
    note = models.CharField(_("toelichting"), max_length=500, blank=True)
    history = HistoricalRecords()

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


class DataGap(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        PARTLY = "partly", _("deels opgelost")
        CLOSED = "closed", _("opgelost")

    chapter = models.ForeignKey("themes.Chapter", on_delete=models.CASCADE, related_name="data_gaps", verbose_name=_("hoofdstuk"))
    description = models.TextField(_("wat ontbreekt"))
    holder = models.CharField(_("wie heeft de data"), max_length=300, blank=True)
    recommendation = models.ForeignKey(
        "recommendations.Recommendation", on_delete=models.SET_NULL, null=True, blank=True, related_name="data_gaps"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="data_gaps")
    territory = models.CharField(_("gebied"), max_length=3, choices=Territory.choices, blank=True)
    first_noted_in = models.ForeignKey(
        "kib.Edition", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("eerst gesignaleerd in")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    position = models.PositiveIntegerField(_("volgorde"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("blinde vlek")
        verbose_name_plural = _("blinde vlekken")

    def __str__(self):
        return self.description[:80]
