"""The content model's rules hold in the database, not only in forms."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kib.models import Edition
from kib.richtext import sanitize_html
from recommendations.models import Recommendation, code_sort_key
from tests import factories as f
from themes.models import Figure

pytestmark = pytest.mark.django_db


def assert_refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_recommendation_code_is_unique_within_concluding_observations():
    co = f.concluding_observations()
    f.recommendation("15b", co=co)
    assert_refused(lambda: f.recommendation("15b", co=co))
    other = f.concluding_observations(symbol="CRC/C/NLD/CO/7")
    assert f.recommendation("15b", co=other).pk


@pytest.mark.parametrize("code", ["15b", "41(i)", "42b(iii)", "42", "9"])
def test_recommendation_codes_as_printed_are_accepted(code):
    assert f.recommendation(code).code == code


@pytest.mark.parametrize("code", ["15 b", "b15", "41(q)", "", "15b;drop"])
def test_malformed_recommendation_code_is_refused_by_the_database(code):
    assert_refused(lambda: f.recommendation(code))


def test_malformed_code_gives_a_form_error_not_a_crash():
    rec = Recommendation(concluding_observations=f.concluding_observations(), code="15 b", text="x")
    with pytest.raises(ValidationError) as excinfo:
        rec.full_clean()
    assert "code" in excinfo.value.message_dict


def test_codes_sort_in_printed_order():
    codes = ["42b(iii)", "15c", "41(x)", "9", "15b", "41(ii)", "42"]
    assert sorted(codes, key=code_sort_key) == ["9", "15b", "15c", "41(ii)", "41(x)", "42", "42b(iii)"]


def test_second_chapter_for_a_theme_in_one_edition_is_refused():
    edition, theme = f.edition(), f.theme()
    f.chapter(edition=edition, theme=theme)
    assert_refused(lambda: f.chapter(edition=edition, theme=theme))


def test_figure_number_is_unique_within_a_chapter():
    chapter = f.chapter()
    Figure.objects.create(chapter=chapter, number=1, title="Een")
    assert_refused(lambda: Figure.objects.create(chapter=chapter, number=1, title="Twee"))
    assert Figure.objects.create(chapter=f.chapter(edition=chapter.edition), number=1, title="Ander hoofdstuk").pk


@pytest.mark.parametrize("year", [1989, 2101])
def test_edition_year_out_of_range_is_refused(year):
    assert_refused(lambda: f.edition(year=year))


def test_edition_year_is_unique():
    f.edition(year=2030)
    assert_refused(lambda: f.edition(year=2030))


def test_reporting_period_must_not_end_before_it_starts():
    import datetime

    assert_refused(
        lambda: f.edition(
            reporting_period_start=datetime.date(2024, 3, 1), reporting_period_end=datetime.date(2023, 3, 1)
        )
    )


def test_reporting_period_label_is_in_the_language_of_the_request_each_time():
    import datetime

    from django.utils import translation

    edition = Edition(reporting_period_start=datetime.date(2023, 3, 1), reporting_period_end=datetime.date(2024, 3, 31))
    for _ in range(2):  # made once per language, then remembered: the second round must not mix them up
        with translation.override("nl"):
            assert edition.reporting_period_label == "maart 2023 – maart 2024"
        with translation.override("en"):
            assert edition.reporting_period_label == "March 2023 – March 2024"
    edition.reporting_period_end = datetime.date(2024, 6, 30)
    with translation.override("nl"):
        assert edition.reporting_period_label == "maart 2023 – juni 2024"
    edition.reporting_period_end = None
    assert edition.reporting_period_label == ""


def test_published_queryset_holds_only_published_editions():
    f.published_edition(year=2024)
    f.edition(year=2025)
    assert list(Edition.objects.published().values_list("year", flat=True)) == [2024]


@pytest.mark.parametrize(
    "dirty, forbidden",
    [
        ("<p>Hallo<script>alert(1)</script></p>", "<script"),
        ('<a href="javascript:alert(1)">klik</a>', "javascript:"),
        ('<p onclick="x()">tekst</p>', "onclick"),
        ('<img src="file:///etc/passwd">', "<img"),
        ('<p style="background:url(http://evil.example/x)">t</p>', "evil.example"),
        ('<link href="http://127.0.0.1:9/x.css">', "<link"),
    ],
)
def test_rich_text_is_sanitised_on_save(dirty, forbidden):
    chapter = f.chapter(summary=dirty)
    chapter.refresh_from_db()
    assert forbidden not in chapter.summary
    assert forbidden not in sanitize_html(dirty)


def test_allowed_rich_text_survives():
    html = '<p>Zie <a href="https://www.cbs.nl/">CBS</a>, <strong>vet</strong> en <em>schuin</em>.</p><ul><li>punt</li></ul>'
    chapter = f.chapter(summary=html)
    chapter.refresh_from_db()
    assert '<a href="https://www.cbs.nl/" rel="noopener noreferrer">CBS</a>' in chapter.summary
    assert "<ul><li>punt</li></ul>" in chapter.summary
