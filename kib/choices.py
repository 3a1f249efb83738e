from django.db import models
from django.utils.translation import gettext_lazy as _


class Territory(models.TextChoices):
    NL = "NL", _("Europees Nederland")
    CN = "CN", _("Caribisch Nederland")
    BON = "BON", _("Bonaire")
    STA = "STA", _("Sint Eustatius")
    SAB = "SAB", _("Saba")
