"""An edition archive carries the snapshot of the published edition's charts (issue 14).

A published edition's chapter pages draw the cells taken at its publication, not the live
numbers. A backup of the edition (``export_edition``) restored elsewhere (``import_edition`` into an
empty database) must show the same pages: the archive holds the ``ChartSnapshot``/``SnapshotCell``
rows, with each cell pointing at its restored observation. Without them the restored edition would
draw the live numbers, which a later publication may have changed.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.chart_data import load_drawn_cells
from indicators.models import DataGap, Observation
from kib.models import Edition
from kib.ops.archive.reading import import_edition
from kib.ops.archive.writing import edition_fingerprint
from kib.publication.models import ChartSnapshot, PublishedPdf, SnapshotCell
from tests import factories as f
from tests.test_backup import archive_of, content_rows, empty_the_database
from tests.test_edition_snapshot import a_drawn_2024_cell, page
from themes.models import Figure

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def without_ids(html):
    return re.sub(rb"\b1\d{6}\b", b"<id>", html)


def drawn(figure_pk):
    """{(series title, period, area): value} that the public chart of the figure draws."""
    figure = Figure.objects.select_related("chart", "chart__snapshot").prefetch_related("chart__series__indicator")
    figure = figure.get(pk=figure_pk)
    load_drawn_cells([figure], public_only=True)
    return {
        (link.indicator.code, o.period, o.territory, o.breakdown): o.value
        for link in figure.chart.series.all()
        for o in link.drawn_cells
    }


def test_a_restored_published_edition_draws_the_snapshot_not_the_live_numbers(client, demo_db, media):
    edition = Edition.objects.get(year=2024)
    Edition.objects.exclude(pk=edition.pk).delete()  # only 2024: its page then has no other editions to list
    DataGap.objects.update(first_noted_in=edition)
    chart, link, observation = a_drawn_2024_cell()
    published = observation.published_value
    # A later publication made a revised number public (the live published value changed).
    Observation.objects.filter(pk=observation.pk).update(
        value=published + Decimal("321.5"), published_value=published + Decimal("321.5")
    )
    url = reverse("public:chapter", args=[2024, chart.figure.chapter.theme.slug])
    before = page(client, url)
    cells_before = drawn(chart.figure_id)
    assert (
        cells_before[(link.indicator.code, observation.period, observation.territory, observation.breakdown)]
        == published
    )
    snapshot_cells = SnapshotCell.objects.filter(snapshot__chart__figure__chapter__edition=edition).count()
    assert snapshot_cells > 0
    fingerprint = edition_fingerprint(edition)
    buffer, manifest = archive_of(edition)
    assert manifest["counts"]["publication.chartsnapshot"] == ChartSnapshot.objects.count() > 0
    assert manifest["counts"]["publication.snapshotcell"] == snapshot_cells

    empty_the_database()  # elsewhere: a database without the edition, its indicators and observations
    assert not any(content_rows().values())
    report = import_edition(buffer)

    assert report.fingerprint_checked and not report.reused
    restored = Edition.objects.get(year=2024)
    assert edition_fingerprint(restored) == fingerprint
    assert SnapshotCell.objects.filter(snapshot__chart__figure__chapter__edition=restored).count() == snapshot_cells
    restored_observation = Observation.objects.get(
        indicator__code=link.indicator.code,
        period=observation.period,
        territory=observation.territory,
        sex=observation.sex,
        age_group=observation.age_group,
        breakdown=observation.breakdown,
    )
    assert restored_observation.published_value == published + Decimal("321.5")  # the live number came along
    restored_figure = Figure.objects.get(
        chapter__edition=restored, chapter__theme__slug=chart.figure.chapter.theme.slug, number=chart.figure.number
    )
    assert drawn(restored_figure.pk) == cells_before  # the chart draws the snapshot: the published number
    # Each cell points at its restored observation (their order of entry is the series' order).
    cell_observations = set(
        SnapshotCell.objects.filter(snapshot__chart__figure__chapter__edition=restored).values_list(
            "observation_pk", flat=True
        )
    )
    assert cell_observations <= set(Observation.objects.values_list("pk", flat=True))
    # The 2024 chapter page, byte for byte, but for the row ids in anchors and links: the restored rows got
    # new ids (the test database numbers them from 1,000,000).
    assert without_ids(page(client, url)) == without_ids(before)


def test_an_archive_of_an_edition_in_preparation_holds_no_snapshot(media):
    edition = f.edition(year=2031)
    f.full_chapter(edition, f.theme(), recommendations=[f.recommendation("15b")])
    _buffer, manifest = archive_of(edition)
    assert manifest["counts"]["indicators.observation"] > 0 and manifest["counts"]["indicators.figureseries"] > 0
    assert "publication.chartsnapshot" not in manifest["counts"]
    assert "publication.snapshotcell" not in manifest["counts"]


def test_restoring_a_lost_edition_points_its_snapshot_at_the_observations_still_there(client, demo_db, media):
    edition = Edition.objects.get(year=2024)
    chart, link, observation = a_drawn_2024_cell()
    url = reverse("public:chapter", args=[2024, chart.figure.chapter.theme.slug])
    cells_before = drawn(chart.figure_id)
    buffer, manifest = archive_of(edition)
    observations_before = Observation.objects.count()
    Observation.objects.filter(pk=observation.pk).update(published_value=observation.published_value + 7)
    PublishedPdf.objects.filter(edition=edition).delete()
    figure_number, theme_slug = chart.figure.number, chart.figure.chapter.theme.slug
    edition.delete()
    assert not SnapshotCell.objects.filter(observation_pk=observation.pk).exists()

    report = import_edition(buffer)

    archived = manifest["counts"]["indicators.observation"]
    assert report.reused["indicators.observation"] == archived > 0  # the observations were still there
    assert Observation.objects.count() == observations_before
    restored = Figure.objects.get(chapter__edition__year=2024, chapter__theme__slug=theme_slug, number=figure_number)
    assert drawn(restored.pk) == cells_before  # the published number, not the one changed since
    assert SnapshotCell.objects.filter(observation_pk=observation.pk).exists()  # the cell names the same observation
    assert client.get(url).status_code == 200
