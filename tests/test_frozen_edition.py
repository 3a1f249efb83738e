"""Frozen means frozen: a published edition's pages and files stay byte-identical (issue 14).

The cast: an editor of UNICEF, whose organisation leads theme 1 in the published 2024 edition and
in the 2025 edition in preparation (its chapter approved, so read-only to them), and a
coordinator. For every shared row the 2024 pages draw — indicator, observation, chart and its
series, headline series, source, recommendation, theme, organisation — each of them tries to
rename or edit it in the admin, to delete it, and to delete it by bulk action; the model itself
is asked too (save, ``QuerySet.update()``, delete). Every public page and file of 2024 stays
byte-identical until a correction is closed.
"""

import hashlib
import re
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse

from indicators.models import Chart, FigureSeries, HeadlineSeries, Indicator, Observation
from kib import freeze
from kib.freeze import FrozenEdition, FrozenEditionProtected
from kib.models import Organisation, Source
from kib.publication.models import PublishedPdf
from kib.workflow import services
from recommendations.models import Recommendation
from tests import factories as f
from themes.models import Chapter, Theme

pytestmark = pytest.mark.django_db

# model, the field an attempt changes, the value it tries
EDITS = {
    "indicator": (Indicator, "name", "Hernoemd kengetal"),
    "observation": (Observation, "period", "1999"),
    "chart": (Chart, "kind", Chart.Kind.TABLE),
    "series": (FigureSeries, "label", "Hernoemde reeks"),
    "headline": (HeadlineSeries, "period_from", "1999"),
    "source": (Source, "title", "Hernoemde bron"),
    "recommendation": (Recommendation, "text", "<p>Herschreven aanbeveling</p>"),
    "theme": (Theme, "title", "Hernoemd thema"),
    "organisation": (Organisation, "name", "Hernoemde organisatie"),
}


class World:
    """The published 2024 edition, 2025 in preparation drawing the same indicator, and the cast."""

    def __init__(self):
        self.unicef = f.organisation("UNICEF Nederland", short_name="UNICEF")
        self.editor = f.editor(self.unicef)  # reaches theme 1 (2025) and its indicators
        self.coordinator = f.coordinator()
        self.theme = f.theme(1, title="Non-discriminatie", slug="non-discriminatie")
        co = f.concluding_observations()
        self.recommendation = f.recommendation("15b", co=co, theme=self.theme)
        self.edition = f.edition(2024, concluding_observations=co)
        chapter = f.full_chapter(self.edition, self.theme, recommendations=[self.recommendation])
        Chapter.objects.filter(pk=chapter.pk).update(lead_organisation=self.unicef)
        f.publish(self.edition)
        self.chart = Chart.objects.get(figure__chapter=chapter)
        self.series = self.chart.series.get()
        self.indicator = self.series.indicator
        self.observation = self.indicator.observations.get(period="2023")
        self.source = Source.objects.get(citations__chapter=chapter)
        with freeze.publishing(self.edition):  # as it was when 2024 was published
            self.indicator.sources.add(self.source)
        self.headline_indicator = f.indicator(self.theme, code="kerncijfer-1", name="Kerncijfer")
        f.observation(self.headline_indicator, "2019", "5", public=True)
        f.observation(self.headline_indicator, "2023", "8", public=True)
        self.headline = HeadlineSeries.objects.create(chapter=chapter, indicator=self.headline_indicator)
        data = b"%PDF-1.7\n" + b"editie 2024\n" * 300 + b"%%EOF\n"
        pdf = PublishedPdf(
            edition=self.edition, version=1, sha256=hashlib.sha256(data).hexdigest(), size=len(data), page_count=1
        )
        pdf.is_current = True
        pdf.file.save("kinderrechten-in-beweging-2024-v1.pdf", ContentFile(data))
        self.next = f.edition(2025, concluding_observations=co)
        next_chapter = f.chapter(
            edition=self.next, theme=self.theme, lead_organisation=self.unicef, state=Chapter.State.APPROVED
        )
        HeadlineSeries.objects.create(chapter=next_chapter, indicator=self.indicator)
        self.rows = {
            "indicator": self.indicator,
            "observation": self.observation,
            "chart": self.chart,
            "series": self.series,
            "headline": self.headline,
            "source": self.source,
            "recommendation": self.recommendation,
            "theme": self.theme,
            "organisation": self.unicef,
        }

    def public_urls(self):
        return [
            "/",
            "/editie/2024/",
            reverse("public:chapter", args=[2024, self.theme.slug]),
            "/cijfers/",
            reverse("public:indicator", args=[self.indicator.code]),
            reverse("public:indicator_csv", args=[self.indicator.code]),
            reverse("public:indicator", args=[self.headline_indicator.code]),
            "/editie/2024/cijfers.csv",
            "/editie/2024/open-data.zip",
            "/aanbevelingen/",
            "/aanbevelingen/?thema=1",
            self.recommendation.get_absolute_url(),
            "/editie/2024/pdf/",
        ]


CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def snapshot(client, urls):
    """Every public page and file, as bytes (the per-visitor CSRF token of the language switch left out)."""
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        pages[url] = CSRF.sub(b"", body)
    return pages


@pytest.fixture
def world():
    return World()


class FormFields(HTMLParser):
    """The values an admin change form would post, as a browser sends them."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data, self.select, self.textarea = form_id, False, {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or not attrs.get("name") and tag != "option":
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(attrs["name"], []).append(attrs.get("value", "on"))
        elif tag == "select":
            self.select = attrs["name"]
            self.data.setdefault(self.select, [])
        elif tag == "option" and self.select and "selected" in attrs:
            self.data[self.select].append(attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.data[self.textarea] = [""]

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False


def admin_url(obj, view, *args):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=args)


def try_to_edit_in_the_admin(client, obj, field, value):
    """Open the change form and post it with ``field`` changed. Returns the response of the post, or of the GET."""
    url = admin_url(obj, "change", obj.pk)
    page = client.get(url)
    if page.status_code != 200:
        return page
    parser = FormFields(f"{obj._meta.model_name}_form")
    parser.feed(page.content.decode())
    if field not in parser.data and f"{field}_id" not in parser.data:
        return page  # shown read-only: nothing to post
    parser.data[field] = [str(value)]
    return client.post(url, parser.data)


def same_row(obj, field):
    fresh = type(obj)._base_manager.filter(pk=obj.pk).first()
    return fresh is not None and getattr(fresh, field) == getattr(obj, field)


@pytest.mark.parametrize("actor", ["editor", "coordinator"])
@pytest.mark.parametrize("name", list(EDITS))
def test_admin_attempts_change_nothing_the_published_edition_shows(client, world, name, actor):
    model, field, value = EDITS[name]
    obj = world.rows[name]
    before = snapshot(client, world.public_urls())
    client.force_login(getattr(world, actor))

    if name == "series":  # a chart's series are edited in the chart's form
        edited = try_to_edit_in_the_admin(client, world.chart, "series-0-label", value)
        deleted = try_to_edit_in_the_admin(client, world.chart, "series-0-DELETE", "on")
        bulk = deleted
    else:
        edited = try_to_edit_in_the_admin(client, obj, field, value)
        deleted = client.post(admin_url(obj, "delete", obj.pk), {"post": "yes"})
        bulk = client.post(
            admin_url(obj, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        )
    for response in (edited, deleted, bulk):
        assert response.status_code in (200, 302, 403, 404)
    if edited.status_code == 200 and edited.request["REQUEST_METHOD"] == "POST":
        assert "alleen via een correctie" in edited.content.decode()  # the form says why

    assert same_row(obj, field)
    client.logout()
    assert snapshot(client, world.public_urls()) == before


@pytest.mark.parametrize("name", list(EDITS))
def test_the_model_refuses_rename_update_and_delete(client, world, name):
    model, field, value = EDITS[name]
    obj = world.rows[name]
    before = snapshot(client, world.public_urls())
    setattr(obj, field, value)
    with pytest.raises(FrozenEdition, match="gepubliceerde editie 2024"):
        obj.save()
    with pytest.raises(FrozenEdition):
        model._default_manager.filter(pk=obj.pk).update(**{field: value})
    # A row that a PROTECT foreign key already keeps (a cited source, a chapter's theme) says so itself.
    with pytest.raises(ProtectedError), transaction.atomic():
        model._base_manager.get(pk=obj.pk).delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        model._default_manager.filter(pk=obj.pk).delete()
    assert model._base_manager.filter(pk=obj.pk).exists()
    assert snapshot(client, world.public_urls()) == before


def test_a_cascade_into_the_published_edition_is_refused(client, world):
    before = snapshot(client, world.public_urls())
    with pytest.raises(FrozenEditionProtected, match="kan daarom niet worden verwijderd"), transaction.atomic():
        world.chart.figure.delete()  # the figure's chart and series would go with it
    with pytest.raises(FrozenEditionProtected), transaction.atomic():
        Observation.objects.filter(indicator=world.indicator).delete()  # bulk, public ones included
    with pytest.raises(FrozenEdition), transaction.atomic():
        world.indicator.sources.remove(world.source)
    assert snapshot(client, world.public_urls()) == before


def test_editors_keep_working_on_next_years_numbers(client, world):
    before = snapshot(client, world.public_urls())
    new = f.observation(world.indicator, "2024", "14")  # not public until 2025 is published
    new.value = 15
    new.save()
    world.observation.value = 13  # a revised figure: the public keeps the published 12 for now
    world.observation.save()
    new.delete()
    other = f.indicator(world.theme, code="alleen-2025", name="Alleen in 2025")
    other.name = "Nieuw kengetal voor 2025"
    other.save()
    other.delete()
    assert snapshot(client, world.public_urls()) == before


def test_the_pages_change_only_when_a_correction_is_closed(client, world):
    before = snapshot(client, world.public_urls())
    coordinator = world.coordinator
    services.open_correction(world.edition, by=coordinator, reason="Naam van het kengetal was fout")
    world.indicator.refresh_from_db()
    world.indicator.name = "Verbeterde naam"
    world.indicator.save()  # allowed while the correction is open
    services.close_correction(world.edition, by=coordinator)
    after = snapshot(client, world.public_urls())
    changed = [url for url in before if before[url] != after[url]]
    assert reverse("public:indicator", args=[world.indicator.code]) in changed
    assert b"Verbeterde naam" in after[reverse("public:chapter", args=[2024, world.theme.slug])]
    world.indicator.name = "Nog een naam"
    with pytest.raises(FrozenEdition):  # frozen again
        world.indicator.save()


def test_deleting_a_whole_edition_takes_its_own_rows_along(world):
    PublishedPdf.objects.filter(edition=world.edition).delete()
    world.next.delete()
    world.edition.delete()
    assert not Chart.objects.exists() and not HeadlineSeries.objects.exists()
