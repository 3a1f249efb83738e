"""A recommendation's timeline, as a journalist reads it: per edition only what changed against the one before.

The cast: an anonymous visitor opening recommendation 37a, which four published editions (2024…2027)
discussed with the same development texts except where an editor rewrote, added or dropped one;
2028 is in preparation. A new text is printed in full (folded), a rewritten one as a word diff with
the full text one click away, an unchanged one only named, a dropped one listed; the movement
assessment is shown per edition; the cost does not grow with the editions.
"""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kib.models import Edition
from tests import factories as f
from themes.models import Chapter, ChapterRecommendation, DevelopmentGroup, DevelopmentItem

pytestmark = pytest.mark.django_db

TEXTS = {
    2024: {"Plan": "Het plan van aanpak komt in 2024.", "Wet": "De wet blijft."},
    2025: {"Plan": "Het plan van aanpak komt in 2025.", "Wet": "De wet blijft."},
    2026: {"Plan": "Het plan van aanpak komt in 2025.", "Wet": "De wet blijft.", "Budget": "Er komt 10 miljoen bij."},
    2027: {"Plan": "Het plan van aanpak komt in 2025.", "Budget": "Er komt 10 miljoen bij."},
    2028: {"Plan": "ZEPPELIN-4471 concept", "Budget": "ZEPPELIN-4471"},
}


def edition_with(co, theme, rec, year, state=Edition.State.PUBLISHED, texts=None):
    edition = f.edition(year=year, state=state, concluding_observations=co)
    chapter = f.chapter(edition=edition, theme=theme, state=Chapter.State.APPROVED)
    group = DevelopmentGroup.objects.create(chapter=chapter, kind=DevelopmentGroup.Kind.POLICY, title="Beleid")
    group.recommendations.set([rec])
    for position, (title, body) in enumerate((texts or TEXTS[year]).items()):
        DevelopmentItem.objects.create(group=group, position=position, title=title, body=f"<p>{body}</p>")
    ChapterRecommendation.objects.create(chapter=chapter, recommendation=rec)
    return chapter


@pytest.fixture
def rec():
    co = f.concluding_observations()
    theme = f.theme()
    rec = f.recommendation("37a", co=co, theme=theme)
    for year in (2024, 2025, 2026, 2027):
        edition_with(co, theme, rec, year)
    edition_with(co, theme, rec, 2028, state=Edition.State.PREPARATION)
    ChapterRecommendation.objects.filter(chapter__edition__year=2026).update(
        movement=ChapterRecommendation.Movement.PROGRESS, movement_reasoning="Het budget groeit."
    )
    return rec


def entries(html):
    """The text of each timeline entry, keyed by its edition year."""
    found = re.findall(r'<li class="timeline-entry">(.*?)</li>\s*(?=<li class="timeline-entry">|</ol>)', html, re.S)
    result = {}
    for entry in found:
        year = int(re.search(r"(\d{4})</a>", entry).group(1))
        result[year] = entry
    return result


def words(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_each_edition_shows_only_what_changed_against_the_one_before(client, rec):
    html = client.get(rec.get_absolute_url()).content.decode()
    by_year = entries(html)
    assert sorted(by_year) == [2024, 2025, 2026, 2027]  # 2028 is in preparation
    # 2024: everything is new, printed in full (folded)
    assert "<p>Het plan van aanpak komt in 2024.</p>" in by_year[2024] and "<p>De wet blijft.</p>" in by_year[2024]
    # 2025: the plan rewritten (a word diff and the full text), the law unchanged
    assert "<del>2024.</del><ins>2025.</ins>" in by_year[2025] and "herschreven sinds" in words(by_year[2025])
    assert "<p>Het plan van aanpak komt in 2025.</p>" in by_year[2025]  # the full text, one click away
    assert "Wet · ongewijzigd sinds" in words(by_year[2025]) and "<p>De wet blijft.</p>" not in by_year[2025]
    # 2026: a new text, the others unchanged, with the assessment and its reasoning
    assert "nieuw Budget" in words(by_year[2026]) and "<p>Er komt 10 miljoen bij.</p>" in by_year[2026]
    assert "vooruitgang" in by_year[2026] and "Het budget groeit." in by_year[2026]
    assert "Plan · ongewijzigd sinds" in words(by_year[2026])
    # 2027: the law dropped, nothing new
    assert "niet meer genoemd Wet" in words(by_year[2027]) and "niet beoordeeld" in words(by_year[2027])
    assert 'class="timeline-group"' not in by_year[2027]  # no text new or rewritten: no text printed
    # every text printed in full once, where it was new or rewritten
    assert html.count("<p>De wet blijft.</p>") == 1 and html.count("<p>Er komt 10 miljoen bij.</p>") == 1
    assert "ZEPPELIN" not in html and "2028" not in html


def test_an_edition_where_nothing_changed_says_so(client, rec):
    ChapterRecommendation.objects.filter(chapter__edition__year=2027).delete()
    DevelopmentItem.objects.filter(group__chapter__edition__year=2027, title="Wet").delete()
    DevelopmentItem.objects.create(
        group=DevelopmentGroup.objects.get(chapter__edition__year=2027), title="Wet", body="<p>De wet blijft.</p>"
    )
    caches["public"].clear()
    text = words(entries(client.get(rec.get_absolute_url()).content.decode())[2027])
    assert "Geen nieuwe, herschreven of vervallen teksten sinds" in text


def test_the_timeline_costs_the_same_queries_with_twice_the_editions(client, rec):
    def count():
        caches["public"].clear()
        client.get(rec.get_absolute_url())
        caches["public"].clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(rec.get_absolute_url()).status_code == 200
        return len(queries)

    before = count()
    co, theme = rec.concluding_observations, rec.theme
    for year in (2020, 2021, 2022, 2023):
        edition_with(co, theme, rec, year, texts={"Plan": f"Het plan van {year}.", "Wet": "De wet blijft."})
    assert count() == before <= 10


def test_untitled_texts_are_named_by_their_first_words_also_when_dropped_after_an_edition_not_shown(client):
    """Seven editions, the newest five shown: a text without a title that stays is named by its first words
    where it is unchanged, and one last printed in 2021 (not shown) is named where 2022 dropped it."""
    co, theme = f.concluding_observations(), f.theme()
    rec = f.recommendation("37b", co=co, theme=theme)
    stays, dropped = "Kinderen wachten nog altijd lang op jeugdzorg", "Het oude convenant loopt af"
    for year in range(2020, 2027):
        texts = {"": stays} if year > 2021 else {"": stays, " ": dropped}
        chapter = edition_with(co, theme, rec, year, texts={"Plan": "Het plan."})
        group = chapter.development_groups.get()
        for position, body in enumerate(texts.values(), start=1):
            DevelopmentItem.objects.create(group=group, position=position, title="", body=f"<p>{body}</p>")
    by_year = entries(client.get(rec.get_absolute_url()).content.decode())
    assert sorted(by_year) == [2022, 2023, 2024, 2025, 2026]
    assert f"niet meer genoemd {dropped}" in words(by_year[2022])
    assert f"{stays} · ongewijzigd sinds" in words(by_year[2026])
