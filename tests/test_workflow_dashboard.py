"""The edition dashboard: every chapter with organisation, state, deadline, last change, open comments, what is missing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Chart, FigureSeries
from kib.workflow import services
from tests import factories as f
from themes.models import ChapterRecommendation, DevelopmentGroup, Figure, HeadlineValue, KeyFigureParagraph

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return f.workflow_cast()


def dashboard(client, user, year=2025):
    client.force_login(user)
    return client.get(reverse("admin:workflow_dashboard", args=[year]))


def complete(chapter):
    """Fill every required part, so nothing is reported missing."""
    chapter.focus, chapter.intro_question = "Armoede", "Hoeveel kinderen groeien op in armoede?"
    chapter.save()
    HeadlineValue.objects.create(chapter=chapter, label="2023", display="6%")
    KeyFigureParagraph.objects.create(chapter=chapter, body="<p>Kengetal</p>")
    rec = f.recommendation(f"{chapter.pk % 1000}a")  # ids may run in the millions (tests/conftest.py)
    ChapterRecommendation.objects.create(chapter=chapter, recommendation=rec)
    DevelopmentGroup.objects.create(chapter=chapter, kind="policy").recommendations.add(rec)
    figure = Figure.objects.create(chapter=chapter, number=1, title="Armoede", source_line="CBS")
    indicator = f.indicator(theme=chapter.theme)
    f.observation(indicator, period="2023", value="6")
    FigureSeries.objects.create(chart=Chart.objects.create(figure=figure), indicator=indicator)


def test_coordinator_sees_every_chapter_with_its_state_deadline_and_open_comments(client, cast):
    cast.chapter_a.deadline = datetime.date(2025, 5, 1)
    cast.chapter_a.save()
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    services.add_comment(cast.chapter_a, cast.coordinator, "Bron bij figuur 1?")
    response = dashboard(client, cast.coordinator)
    assert response.status_code == 200
    rows = {c.pk: c for c in response.context["chapters"]}
    assert set(rows) == {cast.chapter_a.pk, cast.chapter_b.pk}
    row = rows[cast.chapter_a.pk]
    assert (row.state, row.deadline, row.open_comments, row.lead_organisation) == (
        "submitted",
        datetime.date(2025, 5, 1),
        1,
        cast.unicef,
    )
    html = response.content.decode()
    assert "UNICEF" in html and "Defence for Children" in html and "ingediend" in html and "1 mei 2025" in html


def test_editor_sees_the_same_dashboard_for_own_chapters_only(client, cast):
    response = dashboard(client, cast.editor_a)
    assert [c.pk for c in response.context["chapters"]] == [cast.chapter_a.pk]
    assert "Tekst van Defence" not in response.content.decode() and not response.context["can_publish"]


def test_dashboard_names_what_is_still_missing(client, cast):
    complete(cast.chapter_b)
    rec = f.recommendation("15b")
    ChapterRecommendation.objects.create(chapter=cast.chapter_a, recommendation=rec)
    Figure.objects.create(chapter=cast.chapter_a, number=3, title="Zonder bron")
    rows = {c.pk: c for c in dashboard(client, cast.coordinator).context["chapters"]}
    missing = rows[cast.chapter_a.pk].missing
    assert "leeg: focus" in missing and "leeg: inleidende vraag" in missing and "geen kengetallen" in missing
    assert "aanbevelingen zonder ontwikkelingen of beleid: 15b" in missing
    assert "figuren zonder bron: 3" in missing
    assert "cijfers nog in te voeren voor figuur 3" in missing
    assert rows[cast.chapter_b.pk].missing == []


def test_publish_button_only_when_every_chapter_is_approved(client, cast):
    assert not dashboard(client, cast.coordinator).context["can_publish"]
    for chapter, editor in ((cast.chapter_a, cast.editor_a), (cast.chapter_b, cast.editor_b)):
        services.submit_chapter(chapter, by=editor)
        chapter.refresh_from_db()
        services.approve_chapter(chapter, by=cast.coordinator, seen_version=chapter.version)
    response = dashboard(client, cast.coordinator)
    assert response.context["can_publish"] and 'id="edition-publish"' in response.content.decode()


def test_admin_index_links_the_dashboards(client, cast):
    client.force_login(cast.editor_a)
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:workflow_dashboard", args=[2025]) in html


def test_editor_without_chapters_in_an_edition_gets_404(client, cast):
    assert dashboard(client, cast.editor_a, year=2031).status_code == 404


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["coordinator", "editor_a"])
def test_dashboard_and_chapter_list_do_not_query_per_chapter(client, cast, role):
    client.force_login(getattr(cast, role))
    complete(cast.chapter_a)  # a figure with a chart: its data is looked up once for all chapters
    urls = [reverse("admin:workflow_dashboard", args=[2025]), reverse("admin:themes_chapter_changelist")]
    before = [count_queries(client, url) for url in urls]
    for _ in range(6):
        chapter = f.chapter(edition=cast.edition, lead_organisation=cast.unicef)
        chapter.contributing_organisations.add(cast.defence)
        complete(chapter)
        services.add_comment(chapter, cast.coordinator, "Graag nog een bron.")
    assert [count_queries(client, url) for url in urls] == before
    assert max(before) <= 15, before
