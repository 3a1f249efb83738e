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
    """An edition in preparation; its reporting period runs from March of the year before (as in the series)."""
    import datetime

    kwargs.setdefault("title", "Kinderrechten in Beweging")
    kwargs.setdefault("reporting_period_start", datetime.date(year - 1, 3, 1))
    kwargs.setdefault("reporting_period_end", datetime.date(year, 3, 31))
    return Edition.objects.create(year=year, **kwargs)


def chapter(edition=None, theme=None, **kwargs):
    return Chapter.objects.create(
        edition=edition or globals()["edition"](), theme=theme or globals()["theme"](), **kwargs
    )


# -- roles and indicators ------------------------------------------------------


def user_with_role(role, organisation=None, **kwargs):
    """A user in one of the workflow's role groups ("redacteur", "coördinator", "beheerder")."""
    from django.contrib.auth.models import Group

    u = user(organisation=organisation, **kwargs)
    u.groups.add(Group.objects.get(name=role))
    return u


def indicator(theme=None, code=None, **kwargs):
    from indicators.models import Indicator

    n = next(_seq)
    kwargs.setdefault("name", f"Indicator {n}")
    kwargs.setdefault("unit", "aantal")
    return Indicator.objects.create(theme=theme or globals()["theme"](), code=code or f"indicator-{n}", **kwargs)


def observation(indicator, period="2023", value="10", **kwargs):
    from decimal import Decimal

    from indicators.models import Observation

    if kwargs.get("public"):  # published as it stands
        kwargs.setdefault("published_value", Decimal(str(value)))
        kwargs.setdefault("published_flag", kwargs.get("flag", ""))
        kwargs.setdefault("published_note", kwargs.get("note", ""))
    return Observation.objects.create(indicator=indicator, period=period, value=Decimal(str(value)), **kwargs)


# -- people in their roles (workflow) ------------------------------------------------


def role_group(name):
    from django.contrib.auth.models import Group

    from kib.workflow.roles import sync_roles

    if not Group.objects.filter(name=name).exists():
        sync_roles()
    return Group.objects.get(name=name)


def editor(organisation=None, **kwargs):
    """An editor (redacteur) of ``organisation`` (a new one when not given)."""
    kwargs.setdefault("password", None)  # no slow hashing; tests log in with force_login
    from kib.workflow.roles import EDITOR

    u = user(organisation=organisation or globals()["organisation"](), **kwargs)
    u.groups.add(role_group(EDITOR))
    return u


def coordinator(**kwargs):
    """A coordinator of the collective."""
    kwargs.setdefault("password", None)  # no slow hashing; tests log in with force_login
    from kib.workflow.roles import COORDINATOR

    collective = Organisation.objects.get_or_create(
        slug="kinderrechtencollectief",
        defaults={"name": "Kinderrechtencollectief", "kind": Organisation.Kind.COLLECTIVE},
    )[0]
    u = user(organisation=collective, **kwargs)
    u.groups.add(role_group(COORDINATOR))
    return u


def administrator(**kwargs):
    kwargs.setdefault("password", None)  # no slow hashing; tests log in with force_login
    from kib.workflow.roles import ADMINISTRATOR

    u = user(**kwargs)
    u.groups.add(role_group(ADMINISTRATOR))
    return u


def full_chapter(edition, theme, recommendations=(), text="", state=None):
    """A chapter with every printed part (public site tests): ``text`` goes into each text field.

    Definition, headline values, a figure drawn from an indicator, a key-figure paragraph with a
    footnote and a cited source, the recommendations with a movement assessment, numerical and
    policy groups (one item on Bonaire), a latest development and a data gap on Saba.
    """
    n = next(_seq)
    ch = chapter(edition=edition, theme=theme, state=state or Chapter.State.APPROVED)
    return chapter_parts(ch, recommendations, text, n)


def chapter_parts(ch, recommendations=(), text="", n=None):
    """Fill ``ch`` (new or existing) with one of every printed part, ``text`` in each text field."""
    from decimal import Decimal

    from django.contrib.contenttypes.models import ContentType

    from indicators.models import Chart, DataGap, FigureSeries, Indicator
    from kib.models import Source
    from themes import models as chapters

    n = n or next(_seq)
    body = f"<p>Tekst {n} {text}</p>"
    ch.focus, ch.intro_question, ch.summary = f"Focus {n} {text}", f"Vraag {n} {text}", body
    ch.headline_label = f"Kerncijfer {n} {text}"
    ch.save()
    theme = ch.theme
    chapters.Definition.objects.create(chapter=ch, question=f"Wat is {n}? {text}", body=body)
    chapters.HeadlineValue.objects.create(chapter=ch, position=90, label="2022", value=Decimal("10"), display="10")
    chapters.HeadlineValue.objects.create(chapter=ch, position=91, label="2023", value=Decimal("12"), display="12")
    number = max([0, *ch.figures.values_list("number", flat=True)]) + 1
    figure = chapters.Figure.objects.create(
        chapter=ch, number=number, title=f"Figuur {n} {text}", source_line=f"Bron {n} {text}"
    )
    indicator = Indicator.objects.create(theme=theme, code=f"indicator-{n}", name=f"Indicator {n} {text}")
    public = ch.edition.is_published  # figures of a published edition were made public with it
    observation(indicator, "2022", "10", note=text, public=public)
    observation(indicator, "2023", "12", flag="provisional", public=public)
    chart = Chart.objects.create(figure=figure)
    FigureSeries.objects.create(chart=chart, indicator=indicator)
    paragraph = chapters.KeyFigureParagraph.objects.create(chapter=ch, title=f"Kengetal {n} {text}", body=body, figure=figure)
    chapters.Footnote.objects.create(
        chapter=ch,
        marker="*",
        text=f"Voetnoot {n} {text}",
        content_type=ContentType.objects.get_for_model(paragraph),
        object_id=paragraph.pk,
    )
    source = Source.objects.create(url=f"https://example.org/bron-{n}", title=f"Bron {n} {text}")
    chapters.Citation.objects.create(
        source=source, chapter=ch, content_type=ContentType.objects.get_for_model(paragraph), object_id=paragraph.pk
    )
    for position, rec in enumerate(recommendations):
        chapters.ChapterRecommendation.objects.update_or_create(
            chapter=ch,
            recommendation=rec,
            defaults={
                "position": position,
                "movement": chapters.ChapterRecommendation.Movement.PROGRESS,
                "movement_reasoning": f"Onderbouwing {n} {text}",
            },
        )
    for kind in chapters.DevelopmentGroup.Kind.values:
        group = chapters.DevelopmentGroup.objects.create(chapter=ch, kind=kind, title=f"Groep {n} {kind} {text}")
        group.recommendations.set(recommendations)
        chapters.DevelopmentItem.objects.create(group=group, title=f"Ontwikkeling {n} {text}", body=body)
        chapters.DevelopmentItem.objects.create(group=group, position=1, territory="BON", title=f"Bonaire {n} {text}", body=body)
    chapters.LatestDevelopment.objects.create(chapter=ch, title=f"Nieuw {n} {text}", body=body)
    DataGap.objects.create(
        chapter=ch,
        description=f"Blinde vlek {n} {text}",
        recommendation=recommendations[0] if recommendations else None,
        indicator=indicator,
        territory="SAB",
    )
    return ch


def workflow_cast(year=2025):
    """The people of the workflow tests around one edition in preparation with two chapters:
    UNICEF leads ``chapter_a``, Defence for Children leads ``chapter_b``."""
    from types import SimpleNamespace

    unicef = organisation("UNICEF Nederland", short_name="UNICEF")
    defence = organisation("Defence for Children")
    ed = edition(year=year)
    return SimpleNamespace(
        edition=ed,
        unicef=unicef,
        defence=defence,
        chapter_a=chapter(edition=ed, lead_organisation=unicef, summary="<p>Tekst van UNICEF</p>"),
        chapter_b=chapter(edition=ed, lead_organisation=defence, summary="<p>Tekst van Defence</p>"),
        editor_a=editor(unicef, username="redacteur-unicef", email="redactie@unicef.example.org"),
        editor_b=editor(defence, username="redacteur-defence", email="redactie@defence.example.org"),
        coordinator=coordinator(username="coordinator", email="coordinator@example.org"),
        coordinator_2=coordinator(username="coordinator-2", email="coordinator2@example.org"),
        administrator=administrator(username="beheerder"),
    )


# -- publishing ------------------------------------------------------------------


def _reviewer():
    """A coordinator without an organisation, who approves chapters for ``publish`` (the test
    builds no collective that way, so its own organisations stay as it made them)."""
    from kib.workflow.roles import COORDINATOR

    u, created = get_user_model().objects.get_or_create(username="coordinator-van-de-factories")
    if created:
        u.groups.add(role_group(COORDINATOR))
    return u


def approve(chapter, by=None):
    """Bring ``chapter`` to "approved" through the workflow (submitted, then approved by a coordinator)."""
    from kib.workflow import notifications, services

    by = by or _reviewer()
    with notifications.muted():
        if chapter.state == Chapter.State.DRAFT:
            services.submit_chapter(chapter, by)
        if chapter.state == Chapter.State.SUBMITTED:
            services.approve_chapter(chapter, by, chapter.version)
    return chapter


def publish(edition, by=None, reason="Testeditie: de waarschuwingen zijn bekend.", pdf=False):
    """Publish ``edition`` through ``publish_edition``, the one path to "published".

    Its chapters not yet approved are approved through the workflow first. ``by`` is the system
    publisher when not given (as the demo's: no person in the audit log, no user created);
    ``reason`` covers the readiness warnings a test's bare edition has. Without ``pdf`` no PDF
    build is queued (``receivers.without_pdf()``); every other receiver runs: the charts are
    pinned and the numbers drawn in them made public. Returns the edition, reloaded.
    """
    from contextlib import nullcontext

    from kib.demo.loader import DemoPublisher
    from kib.publication.receivers import without_pdf
    from kib.workflow import notifications, services

    waiting = list(edition.chapters.exclude(state=Chapter.State.APPROVED))
    if waiting:
        reviewer = by if by is not None and by.is_authenticated else _reviewer()
        for ch in waiting:
            approve(ch, reviewer)
    with notifications.muted(), nullcontext() if pdf else without_pdf():
        services.publish_edition(edition, by=by or DemoPublisher(), reason=reason)
    edition.refresh_from_db()
    return edition


def published_edition(year=2024, **kwargs):
    """An edition published through the service, with one (empty, approved) chapter: the service
    publishes no edition without chapters."""
    ed = edition(year=year, **kwargs)
    chapter(edition=ed)
    return publish(ed)
