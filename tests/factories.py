"""Plain factories for tests: small functions that make valid objects."""

import itertools

from django.contrib.auth import get_user_model

from kib.models import Edition, Membership, Organisation
from recommendations.models import ConcludingObservations, Recommendation
from themes.models import Chapter, Theme

_seq = itertools.count(1)


def organisation(name=None, **kwargs):
    n = next(_seq)
    name = name or f"Organisatie {n}"
    kwargs.setdefault("slug", f"org-{n}")
    return Organisation.objects.create(name=name, **kwargs)


def user(username=None, organisation=None, password="geheim-wachtwoord-123", **kwargs):
    username = username or f"user{next(_seq)}"
    kwargs.setdefault("is_staff", True)
    u = get_user_model().objects.create_user(username=username, password=password, **kwargs)
    if organisation is not None:
        Membership.objects.create(user=u, organisation=organisation)
    return u


def theme(number=None, **kwargs):
    number = number or (Theme.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    kwargs.setdefault("title", f"Thema {number}")
    kwargs.setdefault("nav_label", f"T{number}")
    kwargs.setdefault("slug", f"thema-{number}")
    return Theme.objects.create(number=number, **kwargs)


def concluding_observations(symbol="CRC/C/NLD/CO/5-6", **kwargs):
    kwargs.setdefault("title", "Slotopmerkingen")
    return ConcludingObservations.objects.get_or_create(symbol=symbol, defaults=kwargs)[0]


def recommendation(code="15b", co=None, theme=None, **kwargs):
    kwargs.setdefault("text", f"<p>Aanbeveling {code}</p>")
    return Recommendation.objects.create(
        concluding_observations=co or concluding_observations(), code=code, theme=theme, **kwargs
    )


def edition(year=2025, **kwargs):
    kwargs.setdefault("title", "Kinderrechten in Beweging")
    return Edition.objects.create(year=year, **kwargs)


def chapter(edition=None, theme=None, **kwargs):
    return Chapter.objects.create(
        edition=edition or globals()["edition"](), theme=theme or globals()["theme"](), **kwargs
    )
