"""A figure without numbers: the published report never shows the "no data" box; a figure printed
without a chart shows its editor's note instead; only a draft preview shows the box."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from tests import factories as f
from themes.models import Figure, KeyFigureParagraph

pytestmark = pytest.mark.django_db

PLACEHOLDER = "Nog geen gegevens ingevoerd voor deze figuur."


def chart(figure, **context):
    return Template("{% load report %}{% figure_chart figure %}").render(Context({"figure": figure, **context}))


@pytest.fixture
def figure():
    chapter = f.chapter(edition=f.edition(year=2024))
    return Figure.objects.create(chapter=chapter, number=1, title="Nog niet gemeten", source_line="CBS")


def test_only_a_draft_shows_the_no_data_box(figure):
    assert PLACEHOLDER in chart(figure, draft=True)
    assert chart(figure) == ""


def test_a_figure_printed_without_a_chart_shows_its_note_in_print_and_draft(figure):
    figure.printed_without_chart, figure.no_chart_note = True, "Er zijn geen landelijke cijfers."
    for html in (chart(figure), chart(figure, draft=True)):
        assert "Er zijn geen landelijke cijfers." in html and PLACEHOLDER not in html


def test_printed_without_a_chart_needs_a_note(figure):
    figure.printed_without_chart = True
    with pytest.raises(ValidationError) as error:
        figure.full_clean()
    assert "no_chart_note" in error.value.message_dict


def test_the_public_chapter_page_has_no_placeholder(client, figure):
    chapter = figure.chapter
    KeyFigureParagraph.objects.create(chapter=chapter, figure=figure)
    f.publish(chapter.edition)
    html = client.get(reverse("public:chapter", args=[2024, chapter.theme.slug])).content.decode()
    assert "Nog niet gemeten" in html and PLACEHOLDER not in html
