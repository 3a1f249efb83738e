"""Load the demo content from the data files in ``kib/demo/data``.

The files were produced once from the seed text (see ``tools/seed/SCHEMA.md``);
nothing here parses the seed. Loading is idempotent: everything is looked up by
its natural key and created only when missing, and a chapter's parts are loaded
only when the chapter itself is new. A second run therefore changes nothing, and
never overwrites what an editor changed in the demo.
"""

import datetime
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.text import slugify

from indicators.demo import link_series
from indicators.models import Chart, DataGap, FigureSeries, HeadlineSeries, Indicator, Observation
from kib.models import Edition, Membership, Organisation, Source
from kib.workflow import notifications, services
from recommendations.models import ConcludingObservations, Recommendation
from themes import models as chapters
from themes.models import Chapter, Theme
from themes.parts import PARTS

DATA_DIR = Path(__file__).resolve().parent / "data"

ORGANISATIONS = [
    # name, short name, slug, kind, website
    (
        "Kinderrechtencollectief",
        "Kinderrechtencollectief",
        "kinderrechtencollectief",
        "collective",
        "https://www.kinderrechten.nl/",
    ),
    (
        "Defence for Children",
        "Defence for Children",
        "defence-for-children",
        "core",
        "https://www.defenceforchildren.nl/",
    ),
    ("Nationale Jeugdraad", "NJR", "nationale-jeugdraad", "core", "https://www.njr.nl/"),
    ("Kinderpostzegels", "Kinderpostzegels", "kinderpostzegels", "core", "https://www.kinderpostzegels.nl/"),
    ("UNICEF Nederland", "UNICEF", "unicef", "core", "https://www.unicef.nl/"),
    ("Save the Children", "Save the Children", "save-the-children", "core", "https://www.savethechildren.nl/"),
    ("Terre des Hommes", "Terre des Hommes", "terre-des-hommes", "core", "https://www.terredeshommes.nl/"),
]

# Which member organisation leads which theme in the demo.
THEME_LEADS = {
    1: "unicef",
    2: "nationale-jeugdraad",
    3: "save-the-children",
    4: "defence-for-children",
    5: "nationale-jeugdraad",
    6: "kinderpostzegels",
    7: "unicef",
    8: "defence-for-children",
    9: "terre-des-hommes",
    10: "defence-for-children",
}

DEMO_PASSWORD = "kinderrechten-demo"


@dataclass
class LoadReport:
    created: dict = field(default_factory=dict)

    def add(self, label, created):
        if created:
            self.created[label] = self.created.get(label, 0) + 1

    @property
    def total(self):
        return sum(self.created.values())


def read(name):
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        return json.load(handle)


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _decimal(value):
    if value in (None, ""):
        return None
    return Decimal(str(value))


def fill_order(parts):
    """``parts`` in an order in which what a part points at exists when it is made: a block after
    the figure it places, a footnote or citation after the block it annotates, and the parts of
    the indicators app (charts, their series, data gaps) after the chapter's own."""
    return sorted(
        parts, key=lambda part: (part.model._meta.app_label != "themes", part.points_at_target, part.points_at_figure)
    )


@dataclass
class Filling:
    """One new chapter of the 2024 seed while its parts are made."""

    chapter: Chapter
    data: dict
    recs: list
    codes: dict
    figures: dict = field(default_factory=dict)  # number -> Figure
    groups: dict = field(default_factory=dict)  # (data key, position) -> DevelopmentGroup
    pointers: dict = field(default_factory=dict)  # "key_figures[0]" -> part, what footnotes attach to

    def block(self, item, position):
        return {
            "position": position,
            "title": item.get("title", ""),
            "territory": item.get("territory") or "NL",
            "body": item.get("body", ""),
            "figure": self.figures.get(item.get("figure")),
        }


class DemoLoader:
    def __init__(self):
        self.report = LoadReport()
        self._sources = {}

    # -- shared -------------------------------------------------------------

    def organisations(self):
        orgs = {}
        for name, short, slug, kind, website in ORGANISATIONS:
            org, created = Organisation.objects.get_or_create(
                slug=slug, defaults={"name": name, "short_name": short, "kind": kind, "website": website}
            )
            self.report.add("organisaties", created)
            orgs[slug] = org
        return orgs

    def source(self, url, **defaults):
        url = url.strip()
        if url in self._sources:
            return self._sources[url]
        source, created = Source.objects.get_or_create(url=url, defaults=defaults)
        self.report.add("bronnen", created)
        self._sources[url] = source
        return source

    def cite(self, chapter, part, urls):
        content_type = ContentType.objects.get_for_model(part)
        for position, url in enumerate(urls or []):
            _, created = chapters.Citation.objects.get_or_create(
                source=self.source(url),
                chapter=chapter,
                content_type=content_type,
                object_id=part.pk,
                defaults={"position": position},
            )
            self.report.add("bronvermeldingen", created)

    # -- 2024 ---------------------------------------------------------------

    def edition_2024(self, orgs):
        data = read("edition_2024.json")
        themes = {}
        for item in data["themes"]:
            theme, created = Theme.objects.get_or_create(
                number=item["number"],
                defaults={"title": item["title"], "nav_label": item["nav_label"], "slug": slugify(item["title"])},
            )
            self.report.add("thema's", created)
            themes[theme.number] = theme

        co_data = data["concluding_observations"]
        co, created = ConcludingObservations.objects.get_or_create(
            symbol=co_data["symbol"],
            defaults={"title": co_data["title"], "adopted_on": _date(co_data.get("adopted_on"))},
        )
        self.report.add("slotopmerkingen", created)

        ed = data["edition"]
        edition, created = Edition.objects.get_or_create(
            year=ed["year"],
            defaults={
                "title": ed["title"],
                "subtitle": ed.get("subtitle", ""),
                "series": Edition.Series.BEWEGING,
                "reporting_period_start": _date(ed.get("reporting_period_start")),
                "reporting_period_end": _date(ed.get("reporting_period_end")),
                "publication_date": _date(ed.get("publication_date")),
                "introduction": ed.get("introduction", ""),
                "reading_guide": ed.get("reading_guide", ""),
                "colophon": ed.get("colophon", ""),
                "concluding_observations": co,
            },
        )
        self.report.add("edities", created)

        for number in sorted(themes):
            chapter_data = read(f"theme_{number:02d}.json")
            self.chapter_2024(edition, themes[number], co, chapter_data, orgs[THEME_LEADS[number]])
        return edition

    def recommendations(self, co, theme, items):
        result = []
        for item in items:
            rec, created = Recommendation.objects.get_or_create(
                concluding_observations=co, code=item["code"], defaults={"text": item["text"], "theme": theme}
            )
            self.report.add("aanbevelingen", created)
            result.append(rec)
        return result

    def chapter_2024(self, edition, theme, co, data, lead):
        recs = self.recommendations(co, theme, data.get("recommendations", []))
        headline = data.get("headline") or {"kind": "none", "values": []}
        chapter, created = Chapter.objects.get_or_create(
            edition=edition,
            theme=theme,
            defaults={
                "title": data.get("title", ""),
                "lead_organisation": lead,
                "state": Chapter.State.APPROVED,
                "focus": data.get("focus", ""),
                "focus_text": data.get("focus_text", ""),
                "headline_kind": headline.get("kind") or "none",
                "headline_label": headline.get("label", ""),
                "headline_note": headline.get("note", ""),
                "intro_question": data.get("intro_question", ""),
                "summary": data.get("summary", ""),
            },
        )
        self.report.add("hoofdstukken", created)
        if not created:
            return chapter
        filling = Filling(
            chapter, data, recs, codes={r.code: r for r in Recommendation.objects.filter(concluding_observations=co)}
        )
        for part in fill_order(PARTS):
            method = self.PART_LOADERS[part.model]  # a new part: say here how the seed fills it
            if method is not None:
                getattr(self, method)(filling)
        return chapter

    # How the 2024 seed fills each part of a chapter (``themes.parts.PARTS``). ``None``: made
    # together with another part, or not in this seed, as the comment says.
    PART_LOADERS = {
        chapters.Definition: "definitions",
        chapters.HeadlineValue: "headline_values",
        HeadlineSeries: None,  # with the charts (``link_series``)
        chapters.KeyFigureParagraph: "key_figures",
        chapters.Figure: "figures",
        Chart: "charts",
        FigureSeries: None,  # with the charts
        chapters.ChapterRecommendation: "chapter_recommendations",
        chapters.DevelopmentGroup: "development_groups",
        chapters.DevelopmentItem: "development_items",
        chapters.LatestDevelopment: "latest_developments",
        chapters.ChapterSection: None,  # 2024 has none; the 2020 topics are sections (``edition_2020``)
        chapters.Footnote: "footnotes",
        chapters.Citation: None,  # with the part it cites (``cite``)
        DataGap: "data_gaps",
    }

    def chapter_recommendations(self, filling):
        for position, rec in enumerate(filling.recs):
            chapters.ChapterRecommendation.objects.create(
                chapter=filling.chapter, recommendation=rec, position=position
            )

    def definitions(self, filling):
        for position, item in enumerate(filling.data.get("definitions", [])):
            definition = chapters.Definition.objects.create(
                chapter=filling.chapter,
                position=position,
                label=item.get("label") or "definitie",
                question=item.get("question", ""),
                body=item.get("body", ""),
                source_name=item.get("source", ""),
            )
            self.cite(filling.chapter, definition, item.get("urls"))

    def headline_values(self, filling):
        headline = filling.data.get("headline") or {}
        for position, item in enumerate(headline.get("values", [])):
            chapters.HeadlineValue.objects.create(
                chapter=filling.chapter,
                position=position,
                label=item["label"],
                value=_decimal(item.get("value")),
                display=item.get("display", ""),
                unit=item.get("unit", ""),
            )

    def figures(self, filling):
        for position, item in enumerate(filling.data.get("figures", [])):
            figure = chapters.Figure.objects.create(
                chapter=filling.chapter,
                position=position,
                number=item["number"],
                title=item["title"],
                description=item.get("description", ""),
                source_line=item.get("source_line", ""),
                footnote=item.get("footnote", ""),
                printed_without_chart=item.get("printed_without_chart", False),
                no_chart_note=item.get("no_chart_note", ""),
            )
            filling.figures[figure.number] = figure
            filling.pointers[f"figures[{position}]"] = figure
        self.report.created["figuren"] = self.report.created.get("figuren", 0) + len(filling.figures)

    def key_figures(self, filling):
        for position, item in enumerate(filling.data.get("key_figures", [])):
            block = chapters.KeyFigureParagraph.objects.create(
                chapter=filling.chapter, subheading=item.get("subheading", ""), **filling.block(item, position)
            )
            self.cite(filling.chapter, block, item.get("urls"))
            filling.pointers[f"key_figures[{position}]"] = block

    DEVELOPMENT_KINDS = [
        (chapters.DevelopmentGroup.Kind.NUMERICAL, "numerical_developments"),
        (chapters.DevelopmentGroup.Kind.POLICY, "policy_descriptions"),
    ]

    def development_groups(self, filling):
        for kind, key in self.DEVELOPMENT_KINDS:
            for g_pos, group_data in enumerate(filling.data.get(key, [])):
                printed = group_data.get("codes", [])
                linked = [rec for rec in (self.resolve_code(filling.codes, c) for c in printed) if rec]
                group = chapters.DevelopmentGroup.objects.create(
                    chapter=filling.chapter,
                    kind=kind,
                    title=group_data.get("title", ""),
                    position=g_pos,
                    # Keep the printed form where it differs from the list's codes (41(i) for 41i, 42b(iii) under 42).
                    printed_codes=", ".join(printed) if [r.code for r in linked] != printed else "",
                )
                group.recommendations.set(linked)
                filling.groups[key, g_pos] = group

    def development_items(self, filling):
        for _kind, key in self.DEVELOPMENT_KINDS:
            for g_pos, group_data in enumerate(filling.data.get(key, [])):
                group = filling.groups[key, g_pos]
                for i_pos, item in enumerate(group_data.get("items", [])):
                    dev = chapters.DevelopmentItem.objects.create(group=group, **filling.block(item, i_pos))
                    self.cite(filling.chapter, dev, item.get("urls"))
                    filling.pointers[f"{key}[{g_pos}].items[{i_pos}]"] = dev

    def latest_developments(self, filling):
        for position, item in enumerate(filling.data.get("latest_developments", [])):
            latest = chapters.LatestDevelopment.objects.create(
                chapter=filling.chapter,
                subheading=item.get("subheading", ""),
                date=_date(item.get("date")),
                **filling.block(item, position),
            )
            self.cite(filling.chapter, latest, item.get("urls"))
            filling.pointers[f"latest_developments[{position}]"] = latest

    def footnotes(self, filling):
        for position, item in enumerate(filling.data.get("footnotes", [])):
            target = filling.pointers.get(item.get("attached_to") or "")
            chapters.Footnote.objects.create(
                chapter=filling.chapter,
                position=position,
                marker=item.get("marker") or "*",
                text=item["text"],
                content_type=ContentType.objects.get_for_model(target) if target else None,
                object_id=target.pk if target else None,
            )

    def charts(self, filling):
        self.indicators(filling.chapter.theme, filling.data.get("series", []), chapter=filling.chapter)

    def data_gaps(self, filling):
        for position, item in enumerate(filling.data.get("data_gaps", [])):
            DataGap.objects.create(
                chapter=filling.chapter,
                position=position,
                description=item["description"],
                holder=item.get("holder", ""),
                recommendation=self.resolve_code(filling.codes, item.get("code")),
                territory=item.get("territory") or "",
                first_noted_in=filling.chapter.edition,
            )

    @staticmethod
    def resolve_code(codes, printed):
        """The recommendation a printed code refers to: 41(i) is 41i, 42b(iii) and 42(ii) are parts of 42."""
        if not printed:
            return None
        if printed in codes:
            return codes[printed]
        match = re.match(r"^(\d+)([a-z]?)\(([ivx]+)\)$", printed)
        if match:
            number, letter, roman = match.groups()
            for candidate in (f"{number}{letter}{roman}" if not letter else "", f"{number}{letter}", number):
                if candidate in codes:
                    return codes[candidate]
        return None

    def indicators(self, theme, series, chapter=None):
        links = []
        for item in series:
            name = item["indicator"]
            code = slugify(name)[:80]
            indicator, created = Indicator.objects.get_or_create(
                code=code, defaults={"theme": theme, "name": name, "unit": item.get("unit") or "aantal"}
            )
            self.report.add("indicatoren", created)
            src = item.get("source") or {}
            if src.get("url"):
                indicator.sources.add(
                    self.source(src["url"], publisher=src.get("publisher", ""), title=src.get("title", ""))
                )
            elif src.get("title"):
                source, created = Source.objects.get_or_create(
                    url=None, title=src["title"], publisher=src.get("publisher", "")
                )
                self.report.add("bronnen", created)
                indicator.sources.add(source)
            for obs in item.get("observations", []):
                _, created = Observation.objects.get_or_create(
                    indicator=indicator,
                    period=obs["period"],
                    territory=obs.get("territory") or "NL",
                    sex=obs.get("sex", ""),
                    age_group=obs.get("age_group", ""),
                    breakdown=obs.get("breakdown", ""),
                    defaults={
                        "value": _decimal(obs["value"]),
                        "flag": obs.get("flag", ""),
                        "note": obs.get("note", ""),
                    },
                )
                self.report.add("waarnemingen", created)
            links.append((item.get("figure"), indicator))
        if chapter is not None:
            link_series(chapter, links, self.report)

    # -- 2020 ---------------------------------------------------------------

    def edition_2020(self, orgs):
        data = read("edition_2020.json")
        ed = data["edition"]
        edition, created = Edition.objects.get_or_create(
            year=ed["year"],
            defaults={
                "title": ed["title"],
                "series": Edition.Series.CIJFERS,
                "reporting_period_start": _date(ed.get("reporting_period_start")),
                "reporting_period_end": _date(ed.get("reporting_period_end")),
                "publication_date": _date(ed.get("publication_date")),
                "introduction": ed.get("introduction", ""),
                "about": ed.get("about", ""),
                "closing": ed.get("closing", ""),
            },
        )
        self.report.add("edities", created)
        for topic in data["topics"]:
            theme = Theme.objects.get(number=topic["theme"])
            chapter, created = Chapter.objects.get_or_create(
                edition=edition,
                theme=theme,
                defaults={
                    "title": topic["title"],
                    "summary": topic.get("summary", ""),
                    "headline_kind": Chapter.HeadlineKind.NONE,
                    "state": Chapter.State.APPROVED,
                    "lead_organisation": orgs[THEME_LEADS[theme.number]],
                },
            )
            self.report.add("hoofdstukken", created)
            if created:
                for position, section in enumerate(topic.get("sections", [])):
                    chapters.ChapterSection.objects.create(
                        chapter=chapter, position=position, title=section["title"], body=section["body"]
                    )
        return edition

    # -- accounts -----------------------------------------------------------

    def accounts(self, orgs):
        """Demo logins: one coordinator and one editor per member organisation."""
        User = get_user_model()
        accounts = []
        coordinator, created = User.objects.get_or_create(
            username="coordinator",
            defaults={
                "first_name": "Coördinator",
                "last_name": "Kinderrechtencollectief",
                "email": "coordinator@example.org",
                "is_staff": True,
            },
        )
        if created:
            coordinator.set_password(DEMO_PASSWORD)
            coordinator.save()
        self.report.add("accounts", created)
        Membership.objects.get_or_create(user=coordinator, organisation=orgs["kinderrechtencollectief"])
        accounts.append(("coördinator", coordinator.username))

        admin_user, created = User.objects.get_or_create(
            username="beheerder",
            defaults={"first_name": "Beheerder", "email": "beheer@example.org", "is_staff": True, "is_superuser": True},
        )
        if created:
            admin_user.set_password(DEMO_PASSWORD)
            admin_user.save()
        self.report.add("accounts", created)
        accounts.append(("beheerder", admin_user.username))

        for name, short, slug, kind, _website in ORGANISATIONS:
            if kind != "core":
                continue
            user, created = User.objects.get_or_create(
                username=f"redacteur-{slug}",
                defaults={
                    "first_name": "Redacteur",
                    "last_name": short,
                    "email": f"redactie@{slug}.example.org",
                    "is_staff": True,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            self.report.add("accounts", created)
            Membership.objects.get_or_create(user=user, organisation=orgs[slug])
            accounts.append((f"redacteur {name}", user.username))
        return accounts


class DemoPublisher(AnonymousUser):
    """Who publishes the demo's editions: a coordinator without an account (no person in the audit log)."""

    is_active = True

    def has_perm(self, perm, obj=None):
        return perm == "workflow.publish_edition"


def publish(edition):
    """Publish ``edition`` as the system publishes a report that came out before KIB: its receivers
    pin the charts, make the numbers public and queue the PDF, and it keeps the seed's publication
    date (none for 2020: unknown). An edition published before stays as it is."""
    if edition.state == Edition.State.PREPARATION:
        with notifications.muted():
            services.publish_edition(edition, by=DemoPublisher(), historical=True)


def load_demo(with_accounts=True):
    """Load everything and publish 2024 and 2020; returns (report, accounts). Runs in one transaction."""
    loader = DemoLoader()
    with transaction.atomic():
        orgs = loader.organisations()
        edition_2024 = loader.edition_2024(orgs)
        edition_2020 = loader.edition_2020(orgs)
        publish(edition_2024)
        publish(edition_2020)
        accounts = loader.accounts(orgs) if with_accounts else []
    return loader.report, accounts
