"""What a recommendation's timeline loads: every group's texts, figures and codes in two plain queries.

The cast: an anonymous visitor opening recommendation 37a, which the published editions 2024 and
2025 discuss in a policy group that also covers 12c (and, in 2025, prints its own codes); 2026 is
in preparation. The timeline reads the groups' texts with their figure and the linked codes in two
queries (``recommendations.views.load_group_texts``) whatever the number of editions and groups.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kib.models import Edition
from tests import factories as f
from themes.models import Chapter, ChapterRecommendation, DevelopmentGroup, DevelopmentItem, Figure

pytestmark = pytest.mark.django_db


def edition_with(co, theme, recs, year, body, state=Edition.State.PUBLISHED, printed_codes=""):
    chapter = f.chapter(edition=f.edition(year=year, state=state, concluding_observations=co), theme=theme, state=Chapter.State.APPROVED)
    figure = Figure.objects.create(chapter=chapter, number=3, title=f"Wachtlijsten {year}")
    group = DevelopmentGroup.objects.create(chapter=chapter, kind=DevelopmentGroup.Kind.POLICY, title="Beleid", printed_codes=printed_codes)
    group.recommendations.set(recs)
    DevelopmentItem.objects.create(group=group, position=0, title="Plan", body=f"<p>{body}</p>", figure=figure)
    DevelopmentItem.objects.create(group=group, position=1, title="Wet", body="<p>De wet blijft.</p>")
    ChapterRecommendation.objects.create(chapter=chapter, recommendation=recs[0])
    return chapter


@pytest.fixture
def rec():
    co, theme = f.concluding_observations(), f.theme()
    rec = f.recommendation("37a", co=co, theme=theme)
    other = f.recommendation("12c", co=co, theme=theme)
    edition_with(co, theme, [rec, other], 2024, "Het plan komt in 2024.")
    edition_with(co, theme, [rec, other], 2025, "Het plan komt in 2025.", printed_codes="37a(ii)")
    edition_with(co, theme, [rec, other], 2026, "ZEPPELIN-4471", state=Edition.State.PREPARATION)
    return rec


def entries(html):
    found = re.findall(r'<li class="timeline-entry">(.*?)</li>\s*(?=<li class="timeline-entry">|</ol>)', html, re.S)
    return {int(re.search(r"(\d{4})</a>", entry).group(1)): entry for entry in found}


def test_each_changed_group_names_its_codes_and_each_changed_text_its_figure(client, rec):
    by_year = entries(client.get(rec.get_absolute_url()).content.decode())
    assert sorted(by_year) == [2024, 2025]
    assert "aanbeveling 12c, 37a: <span" in by_year[2024]  # the linked codes, in their order
    assert "aanbeveling 37a(ii): <span" in by_year[2025] and "12c" not in by_year[2025]  # as printed
    assert "Wachtlijsten 2024</span></a>" in by_year[2024] and "Wachtlijsten 2025</span></a>" in by_year[2025]
    assert re.search(r'href="/editie/2025/[^"#]+/#figuur-\d+-3"', by_year[2025])
    assert "<p>De wet blijft.</p>" in by_year[2024] and "<p>De wet blijft.</p>" not in by_year[2025]


def test_the_timeline_loads_the_same_queries_with_three_times_the_editions_and_groups(client, rec):
    def count(query=""):
        with CaptureQueriesContext(connection) as queries:
            html = client.get(rec.get_absolute_url() + query).content.decode()
        return len(queries), html

    before, _html = count()
    co, theme = rec.concluding_observations, rec.theme
    other = rec.concluding_observations.recommendations.get(code="12c")
    for year in (2019, 2020, 2021, 2022):
        chapter = edition_with(co, theme, [rec, other], year, f"Het plan van {year}.")
        extra = DevelopmentGroup.objects.create(chapter=chapter, kind=DevelopmentGroup.Kind.NUMERICAL, title="Cijfers")
        extra.recommendations.set([rec])
        DevelopmentItem.objects.create(group=extra, title="Studie", body=f"<p>Studie {year}</p>")
    after, html = count("?alle=1")  # every edition
    assert after == before <= 8
    assert sorted(entries(html)) == [2019, 2020, 2021, 2022, 2024, 2025] and "<p>Studie 2022</p>" in html
    newest, html = count()  # the newest five, 2019 a link above them
    assert newest == before and sorted(entries(html)) == [2020, 2021, 2022, 2024, 2025]
