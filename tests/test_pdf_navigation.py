"""The PDF's navigation bar links only to chapters the document holds (no dangling internal links)."""

import re

import pytest

from kib.models import Edition
from kib.publication.exporter import EditionPdfExporter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", [2024, 2020])
def test_every_internal_link_of_the_edition_html_has_its_anchor(demo_db, year):
    html = EditionPdfExporter(Edition.objects.get(year=year)).render_html()
    anchors = set(re.findall(r'\sid="([^"]+)"', html))
    targets = set(re.findall(r'href="#([^"]+)"', html))
    assert targets, "the document links to its chapters"
    assert targets - anchors == set()


def test_a_theme_without_a_chapter_in_the_edition_is_shown_but_not_linked(demo_db):
    edition = Edition.objects.get(year=2020)  # Kinderrechten in Cijfers: six topics, not ten themes
    printed = set(edition.chapters.values_list("theme__number", flat=True))
    assert len(printed) < 10
    html = EditionPdfExporter(edition).render_html()
    linked = {int(n) for n in re.findall(r'href="#hoofdstuk-(\d+)"', html)}
    assert linked == printed
