""""Wat is er veranderd sinds <vorige editie>" on the public chapter page, as a journalist reads it.

The cast: a coordinator publishes 2025 and starts 2026 from it; the editor of UNICEF rewrites
chapter A (a text rewritten, a latest development added, a section removed, a recommendation
assessed and one added); an anonymous visitor reads the 2026 chapter page. Only published editions
are compared, and a marker in an edition in preparation never shows.
"""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kib.models import Edition
from kib.workflow import services
from tests import factories as f
from themes.changes import key_figure_change
from themes.models import Chapter, ChapterRecommendation, ChapterSection, HeadlineValue, LatestDevelopment

pytestmark = pytest.mark.django_db


def approve(chapter, editor, coordinator):
    services.submit_chapter(chapter, by=editor)
    chapter.refresh_from_db()
    services.approve_chapter(chapter, by=coordinator, seen_version=chapter.version)


def words(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def changes_section(html):
    match = re.search(r'<section class="changes".*?</section>', html, re.S)
    return match.group(0) if match else ""


@pytest.fixture
def cast():
    cast = f.workflow_cast()
    a = cast.chapter_a
    a.summary = "<p>De wachtlijst in de jeugdzorg telt 80.000 kinderen.</p>"
    a.save()
    LatestDevelopment.objects.create(chapter=a, title="Wet op de jeugdzorg", body="<p>In behandeling.</p>")
    ChapterSection.objects.create(chapter=a, title="Toegang", body="<p>Over de toegang.</p>")
    ChapterSection.objects.create(chapter=a, title="Gebleven", body="<p>Blijft staan.</p>")
    HeadlineValue.objects.create(chapter=a, position=0, label="2019", value=4382, display="4.382")
    HeadlineValue.objects.create(chapter=a, position=1, label="2023", value=6351, display="6.351")
    cast.r15b = f.recommendation("15b")
    cast.r22d = f.recommendation("22d", co=cast.r15b.concluding_observations)
    for recommendation in (cast.r15b, cast.r22d):
        ChapterRecommendation.objects.create(chapter=a, recommendation=recommendation)
    approve(cast.chapter_a, cast.editor_a, cast.coordinator)
    approve(cast.chapter_b, cast.editor_b, cast.coordinator)
    services.publish_edition(cast.edition, by=cast.coordinator)
    new = services.start_next_edition(cast.edition, by=cast.coordinator)
    cast.new_a = new.chapters.get(theme=a.theme)
    cast.new_b = new.chapters.get(theme=cast.chapter_b.theme)
    cast.new = new
    return cast


def edit_2026(cast):
    a = cast.new_a
    a.summary = "<p>De wachtlijst in de jeugdzorg telt 95.000 kinderen.</p>"
    a.save()
    LatestDevelopment.objects.create(chapter=a, title="Wet aangenomen", body="<p>De Tweede Kamer stemde in.</p>")
    ChapterSection.objects.get(chapter=a, title="Toegang").delete()
    ChapterRecommendation.objects.filter(chapter=a, recommendation=cast.r15b).update(
        movement="progress", movement_reasoning="De wachttijd daalde."
    )
    ChapterRecommendation.objects.create(chapter=a, recommendation=f.recommendation("41(i)", co=cast.r15b.concluding_observations))


def publish_2026(cast):
    approve(cast.new_a, cast.editor_a, cast.coordinator)
    approve(cast.new_b, cast.editor_b, cast.coordinator)
    services.publish_edition(cast.new, by=cast.coordinator, reason="Test: overgenomen teksten niet bekeken.")


def test_the_chapter_page_says_what_changed_since_the_previous_edition(client, cast):
    edit_2026(cast)
    publish_2026(cast)
    html = client.get(cast.new_a.get_absolute_url()).content.decode()
    section = changes_section(html)
    text = words(section)
    assert f"Wat is er veranderd sinds {cast.edition}" in text
    # the rewritten summary, as a word diff on demand
    assert "herschreven Zo staat het ervoor" in text
    assert "<details" in section and "<del>80.000</del><ins>95.000</ins>" in section
    # a new latest development, a removed section, the one kept unchanged not listed
    assert "nieuw Wet aangenomen" in text and "De Tweede Kamer stemde in." in text
    assert "vervallen Toegang" in text and "Gebleven" not in text
    assert "Wet op de jeugdzorg" not in text  # carried over as it was
    # the recommendations: the assessed one with its movement and reasoning, the new one
    assert "Aanbeveling 15b : ▲ vooruitgang De wachttijd daalde." in text
    assert "nieuw Aanbeveling 41(i)" in text and "22d" not in text
    assert cast.edition.chapters.get(theme=cast.chapter_a.theme).get_absolute_url() in section


def test_the_key_figure_shows_its_latest_value_against_last_year_with_the_change(client, cast):
    """The new year's value added to the headline: old → new with the difference, written the Dutch way."""
    HeadlineValue.objects.create(chapter=cast.new_a, position=2, label="2024", value=7000, display="7.000")
    publish_2026(cast)
    section = changes_section(client.get(cast.new_a.get_absolute_url()).content.decode())
    assert "Kerncijfer: de laatste waarde 6.351 (2023) → 7.000 (2024) : +649 (+10,2%)" in words(section)
    assert "<h3>Kerncijfer</h3>" not in section  # not listed a second time as a new headline value
    # the chapter whose key figure was carried over as it was shows none
    assert "Kerncijfer: de laatste waarde" not in changes_section(client.get(cast.new_b.get_absolute_url()).content.decode())


def chart_figure(chapter, number, title, *series, window=2):
    """A figure of ``chapter`` drawing ``series`` ((indicator, split breakdown?) pairs), last ``window`` periods."""
    from indicators.models import SPLIT, Chart, FigureSeries
    from themes.models import Figure

    figure = Figure.objects.create(chapter=chapter, number=number, title=title)
    chart = Chart.objects.create(figure=figure, window=window)
    for position, (indicator, split) in enumerate(series):
        FigureSeries.objects.create(chart=chart, indicator=indicator, position=position, breakdown=SPLIT if split else "")
    return figure


def test_a_figure_whose_latest_value_changed_shows_old_and_new(client):
    """Three figures carried to 2026: one gets a new year (two series), one a new year per group of one
    period, one stays as it was; the page lists the first two, old → new with the change, and not the third."""
    cast = f.workflow_cast()
    a = cast.chapter_a
    theme = a.theme
    waiting = f.indicator(theme=theme, name="Kinderen op de wachtlijst")
    share = f.indicator(theme=theme, name="Aandeel met een wachttijd boven de norm", unit="%")
    placed = f.indicator(theme=theme, name="Kinderen in een gesloten plaatsing")
    care = f.indicator(theme=theme, name="Kinderen in de pleegzorg")
    for period, value in (("2022", 5800), ("2023", 6351)):
        f.observation(waiting, period=period, value=value)
    f.observation(share, period="2023", value="36.8")
    f.observation(placed, period="2023", value=120)
    for group, value in (("begeleid", 10), ("onbegeleid", 20)):
        f.observation(care, period="2023", breakdown=group, value=value)
    chart_figure(a, 1, "Wachtlijst jeugdzorg", (waiting, False), (share, False))
    chart_figure(a, 2, "Gesloten plaatsingen", (placed, False))
    chart_figure(a, 3, "Pleegzorg", (care, True))
    approve(a, cast.editor_a, cast.coordinator)
    approve(cast.chapter_b, cast.editor_b, cast.coordinator)
    services.publish_edition(cast.edition, by=cast.coordinator)
    new = services.start_next_edition(cast.edition, by=cast.coordinator)
    new_a, new_b = new.chapters.get(theme=theme), new.chapters.get(theme=cast.chapter_b.theme)
    f.observation(waiting, period="2024", value=7000)
    f.observation(share, period="2024", value="33.5")
    for group, value in (("begeleid", 12), ("onbegeleid", 20)):
        f.observation(care, period="2024", breakdown=group, value=value)
    approve(new_a, cast.editor_a, cast.coordinator)
    approve(new_b, cast.editor_b, cast.coordinator)
    services.publish_edition(new, by=cast.coordinator, reason="Test: overgenomen teksten niet bekeken.")
    f.observation(waiting, period="2025", value=9999)  # not published yet: the public page does not know it

    section = changes_section(client.get(new_a.get_absolute_url()).content.decode())
    text = words(section)
    assert 'class="change-list figure-changes"' in section
    assert (
        "Figuur 1. Wachtlijst jeugdzorg Kinderen op de wachtlijst : 6.351 (2023) → 7.000 (2024) : +649 (+10,2%)"
        " Aandeel met een wachttijd boven de norm : 36,8% (2023) → 33,5% (2024) : -3,3 procentpunt"
    ) in text
    # the groups of one period became series of two: each group's latest value, the unchanged one too
    assert "Figuur 3. Pleegzorg begeleid : 10 (2023) → 12 (2024) : +2 (+20,0%) onbegeleid : 20 (2023) → 20 (2024)" in text
    assert "Gesloten plaatsingen" not in text and "9.999" not in text
    # the other chapter has no figures: nothing about figures
    assert "figure-changes" not in changes_section(client.get(new_b.get_absolute_url()).content.decode())


def test_a_retitled_figure_is_matched_by_its_number_and_indicator():
    from types import SimpleNamespace

    from themes.changes import _previous_figure

    def figure(number, title, *indicator_ids):
        links = [SimpleNamespace(indicator_id=pk) for pk in indicator_ids]
        return SimpleNamespace(number=number, title=title, chart=SimpleNamespace(series=SimpleNamespace(all=lambda: links)))

    old = [figure(1, "Wachtlijst", 7), figure(2, "Pleegzorg", 8)]
    assert _previous_figure(figure(2, "Pleegzorg", 9), old) is old[1]  # same title
    assert _previous_figure(figure(1, "Wachtlijst jeugdzorg 2024", 7, 3), old) is old[0]  # same number and indicator
    assert _previous_figure(figure(2, "Iets anders", 9), old) is None  # same number, other indicators


def test_a_percentage_key_figure_changes_in_percentage_points():
    from types import SimpleNamespace

    def chapter(*values):
        return SimpleNamespace(loaded_parts={"headline_values": [HeadlineValue(label=label, value=value, display=display, unit="%") for label, value, display in values]})

    change = key_figure_change(chapter(("2022", 36.8, "36,8%")), chapter(("2022", 36.8, "36,8%"), ("2023", 33.5, "")))
    assert (change.before, change.before_label, change.after, change.after_label) == ("36,8%", "2022", "33,5%", "2023")
    assert change.change_display == "-3,3 procentpunt"
    assert key_figure_change(chapter(("2023", 12, "12")), chapter(("2023", 12, "12"))) is None
    assert key_figure_change(chapter(("2023", None, "n.b.")), chapter(("2024", 12, "12"))) is None


def test_an_unchanged_chapter_says_so(client, cast):
    publish_2026(cast)
    text = words(changes_section(client.get(cast.new_b.get_absolute_url()).content.decode()))
    assert f"Wat is er veranderd sinds {cast.edition}" in text and "Niets:" in text


def test_the_first_edition_has_no_changes_section(client, cast):
    assert 'class="changes"' not in client.get(cast.chapter_a.get_absolute_url()).content.decode()


def test_an_edition_in_preparation_is_never_compared_nor_shown():
    """2024 published, 2025 in preparation with a marker, 2026 published: 2026 is compared with 2024."""
    theme = f.theme(slug="jeugdhulp")
    chapters = {}
    for year, state in ((2024, Edition.State.PUBLISHED), (2025, Edition.State.PREPARATION), (2026, Edition.State.PUBLISHED)):
        edition = f.edition(year=year, state=state)
        chapters[year] = f.chapter(edition=edition, theme=theme, state=Chapter.State.APPROVED, summary=f"<p>Tekst {year}</p>")
    LatestDevelopment.objects.create(chapter=chapters[2025], title="ZEPPELIN-4471", body="<p>ZEPPELIN-4471 concept</p>")
    ChapterSection.objects.create(chapter=chapters[2025], title="Concept", body="<p>ZEPPELIN-4471</p>")
    from django.test import Client

    html = Client().get(chapters[2026].get_absolute_url()).content.decode()
    assert "ZEPPELIN" not in html and "Concept" not in html
    section = changes_section(html)
    assert "Wat is er veranderd sinds Kinderrechten in Beweging 2024" in words(section)
    assert "<del>2024</del><ins>2026</ins>" in section
    assert "2025" not in section


def count_queries(client, url):
    caches["public"].clear()
    client.get(url)  # settles per-process caches (content types)
    caches["public"].clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_changes_cost_no_query_whatever_the_number_of_parts(client, cast):
    edit_2026(cast)
    publish_2026(cast)
    url = cast.new_a.get_absolute_url()
    previous = cast.edition.chapters.get(theme=cast.chapter_a.theme)
    co = cast.r15b.concluding_observations
    f.chapter_parts(previous, [f.recommendation("50a", co=co)])  # one of every part, figures included, in both
    f.chapter_parts(cast.new_a, [f.recommendation("50b", co=co)])
    first_edition = count_queries(client, previous.get_absolute_url())  # nothing to compare with
    before = count_queries(client, url)
    assert before == first_edition <= 17  # the chapter page's budget (tests/test_public.py CHAPTER_LIMIT)
    f.chapter_parts(previous, [f.recommendation("51a", co=co)])  # twice every part
    f.chapter_parts(cast.new_a, [f.recommendation("51b", co=co)])
    assert count_queries(client, url) == before
    caches["public"].clear()
    section = words(changes_section(client.get(url).content.decode()))
    assert "nieuw Aanbeveling 50b" in section and "niet meer besproken Aanbeveling 51a" in section


def test_a_word_diff_keeps_paragraphs_apart_and_only_the_words_around_a_change():
    from themes.changes import text_diff

    long = " ".join(f"woord{i}" for i in range(40))
    diff = text_diff(f"<p>{long} telt 80.000 kinderen.</p><p>Slot.</p>", f"<p>{long} telt 95.000 kinderen.</p><p>Slot.</p>")
    assert diff.startswith("… woord33") and "woord32" not in diff  # the 8 words before the change, not all 42
    assert "<del>80.000</del><ins>95.000</ins> kinderen. Slot." in diff  # "kinderen.</p><p>Slot." stays two words
    assert text_diff("<p>a &lt;b&gt;</p>", "<p>a &lt;c&gt;</p>") == "a <del>&lt;b&gt;</del><ins>&lt;c&gt;</ins>"


def test_a_part_carried_over_as_it_was_is_not_read_again(cast, monkeypatch):
    """Only a part whose stored text differs is read as plain text; one whose markup changed but reads the same is unchanged."""
    from themes import changes
    from themes.layout import PRINTED_WITH_CHAPTER, load_printed_parts

    ChapterSection.objects.filter(chapter=cast.new_a, title="Gebleven").update(body="<p>Blijft <em></em>staan.</p>")
    publish_2026(cast)
    related = list(Chapter.objects.published().filter(theme=cast.new_a.theme).select_related(*PRINTED_WITH_CHAPTER))
    chapter = next(c for c in related if c.pk == cast.new_a.pk)
    previous = changes.previous_chapter(chapter, related)
    load_printed_parts([chapter], public_only=True, compared_with=[previous])
    read = []
    plain = changes.plain
    monkeypatch.setattr(changes, "plain", lambda value: read.append(str(value)) or plain(value))
    result = changes.compare(previous, chapter)
    assert not result.parts  # nothing rewritten, new or removed
    assert any("Blijft <em></em>staan." in text for text in read)  # its markup changed: read, found the same
    assert not any("In behandeling." in text for text in read)  # the latest development carried over as it was
