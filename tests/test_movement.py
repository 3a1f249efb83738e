"""The movement since the previous edition, assessed per recommendation in the chapter.

The editor records it in the chapter's recommendations (vooruitgang / geen verandering /
achteruitgang / onduidelijk, with a short reasoning); it shows on the public chapter page, in the
tracker and the timeline, and in the PDF as a word marker with a legend. A copy into the next
edition starts unassessed: the movement is judged anew each year.
"""

import pytest
from django.core.exceptions import ValidationError

from kib.publication.exporter import EditionPdfExporter
from tests import factories as f
from themes.copying import copy_chapter
from themes.models import ChapterRecommendation

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed():
    """2024 published; its chapter on theme 8 lists 15b (achteruitgang, with a reasoning) and 15c (not assessed)."""
    co = f.concluding_observations()
    theme = f.theme(number=8, slug="migratie")
    rec_b, rec_c = f.recommendation("15b", co=co, theme=theme), f.recommendation("15c", co=co, theme=theme)
    edition = f.edition(year=2024, concluding_observations=co)
    chapter = f.full_chapter(edition, theme, [rec_b, rec_c])
    ChapterRecommendation.objects.filter(chapter=chapter, recommendation=rec_b).update(
        movement="regression", movement_reasoning="Meer kinderen in de noodopvang."
    )
    ChapterRecommendation.objects.filter(chapter=chapter, recommendation=rec_c).update(movement="", movement_reasoning="")
    return {"chapter": chapter, "edition": f.publish(edition), "rec_b": rec_b, "rec_c": rec_c}


def test_public_chapter_page_shows_the_movement_in_words_with_its_reasoning(client, assessed):
    html = client.get(assessed["chapter"].get_absolute_url()).content.decode()
    assert '<span class="movement-marker movement-regression">Beweging: achteruitgang</span>' in html
    assert "Beweging: de beoordeling door de redactie van de beweging sinds de vorige editie" in html
    assert '<span class="movement movement-regression"><span class="movement-symbol" aria-hidden="true">▼</span> achteruitgang</span>' in html
    assert "Meer kinderen in de noodopvang." in html
    assert "geen beoordeling" in html  # 15c


def test_timeline_shows_the_movement_and_its_reasoning(client, assessed):
    html = client.get(assessed["rec_b"].get_absolute_url()).content.decode()
    assert "▼</span> achteruitgang" in html and "Meer kinderen in de noodopvang." in html
    assert "niet beoordeeld" in client.get(assessed["rec_c"].get_absolute_url()).content.decode()


def test_pdf_marks_the_assessed_recommendation_with_a_word_and_a_legend(assessed):
    html = EditionPdfExporter(assessed["edition"]).render_html()
    assert html.count('class="movement-marker') == 1
    assert '<span class="movement-marker movement-regression">Beweging: achteruitgang</span>' in html
    assert 'class="movement-legend"' in html


def test_pdf_without_any_assessment_prints_no_legend(assessed):
    ChapterRecommendation.objects.update(movement="", movement_reasoning="")
    html = EditionPdfExporter(assessed["edition"]).render_html()
    assert 'class="movement-legend"' not in html and 'class="movement-marker' not in html


def test_a_copy_into_the_next_edition_starts_unassessed(assessed):
    next_edition = f.edition(year=2025, concluding_observations=assessed["edition"].concluding_observations)
    copy = copy_chapter(assessed["chapter"], next_edition)
    links = list(copy.chapter_recommendations.values_list("recommendation__code", "movement", "movement_reasoning"))
    assert sorted(links) == [("15b", "", ""), ("15c", "", "")]
    original = ChapterRecommendation.objects.get(chapter=assessed["chapter"], recommendation=assessed["rec_b"])
    assert original.movement == "regression"


def test_a_reasoning_without_a_movement_is_refused_in_dutch(assessed):
    link = ChapterRecommendation.objects.get(chapter=assessed["chapter"], recommendation=assessed["rec_c"])
    link.movement_reasoning = "Er is een wetsvoorstel."
    with pytest.raises(ValidationError) as error:
        link.full_clean()
    assert "Kies de beweging waar deze onderbouwing bij hoort." in str(error.value)
    link.movement = ChapterRecommendation.Movement.PROGRESS
    link.full_clean()
