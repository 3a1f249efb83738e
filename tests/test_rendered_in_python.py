"""The parts of public pages written out in Python (``kib.rendered``): the same bytes as the templates they replaced.

The former templates are kept in ``tests/reference_templates/`` (``report/block.html``, ``report/notes.html``,
``public/figure_data.html`` and the tracker's loop over its results); each case renders both, in Dutch and
English, for the web page and the PDF, with every branch taken and text that must be escaped.
"""

import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import Context, Engine
from django.utils import translation
from django.utils.safestring import mark_safe

from kib.templatetags import public_site
from themes.models import Footnote, KeyFigureParagraph, LatestDevelopment

REFERENCE = Path(__file__).parent / "reference_templates"
ENGINE = Engine(
    loaders=[
        (
            "django.template.loaders.locmem.Loader",
            {f"reference/{path.name}": path.read_text() for path in REFERENCE.glob("*.html")},
        )
    ],
    libraries={
        "i18n": "django.templatetags.i18n",
        "report_print": "themes.templatetags.report_print",
        "public_site": "kib.templatetags.public_site",
    },
)
LANGUAGES = ("nl", "en")
REFERENCE_FIGURE_DATA = (REFERENCE / "figure_data.html").read_text().replace("{% figure_table figure as table %}", "")


def render(source, **context):
    return ENGINE.from_string(source).render(Context(context))


def footnote(pk, marker, text, called=False):
    note = Footnote(pk=pk, marker=marker, text=text)
    if called:
        note.called = True
    return note


def source(url="", publisher="", title=""):
    return SimpleNamespace(pk=id(url + publisher + title), url=url, publisher=publisher, title=title)


def blocks():
    cn = LatestDevelopment(
        pk=1,
        title="Wet & regels <nieuw>",
        body="<p>De tekst[1] staat hier.</p>",
        territory="CN",
        date=datetime.date(2025, 3, 1),
    )
    cn.printed_footnotes = [footnote(11, "1", "Zie <b>bron</b> & meer"), footnote(12, "2", "Niet in de tekst")]
    cn.printed_sources = [
        source(url="https://example.org/?a=1&b=2"),
        source(publisher="CBS", title="Jeugd & zorg"),
        source(title="Alleen een titel"),
    ]
    nl = KeyFigureParagraph(pk=2, title="", body="<p>Zonder titel.</p>", territory="NL")
    empty = KeyFigureParagraph(pk=3, title="", body="", territory="BON")
    empty.printed_footnotes = [footnote(13, "3", "Los")]
    bare = LatestDevelopment(pk=4, title="Alleen een titel", body="", territory="SAB")
    return [cn, nl, empty, bare]


@pytest.mark.parametrize("for_print", [False, True])
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_block_and_its_notes_are_the_templates_bytes(language, for_print):
    with translation.override(language):
        for level in (4, "5", None):
            for expected_block, ours_block in zip(blocks(), blocks(), strict=True):
                expected = render(
                    '{% include "reference/block.html" with block=block level=level %}',
                    block=expected_block,
                    level=level,
                    for_print=for_print,
                )
                ours = render(
                    "{% load report_print %}{% part_block block level %}",
                    block=ours_block,
                    level=level,
                    for_print=for_print,
                )
                assert ours == expected
                for block in (expected_block, ours_block):
                    block.printed_footnotes = getattr(block, "printed_footnotes", [])
                assert render(
                    '{% include "reference/notes.html" with part=part %}', part=expected_block, for_print=for_print
                ) == (render("{% load report_print %}{% part_notes part %}", part=ours_block, for_print=for_print))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_figures_data_table_is_the_templates_bytes(language, monkeypatch):
    tables = {
        1: {
            "columns": ["2023", "2024"],
            "rows": [("Jongens & meisjes", ["1.200", "–"]), ("<totaal>", ["5", "6"])],
            "unit": "aantal kinderen",
            "notes": ["* voorlopig & onzeker"],
        },
        2: {"columns": ["2024"], "rows": [("Alle", ["12,5%"])], "unit": "", "notes": []},
        3: None,
    }
    monkeypatch.setattr(public_site, "figure_table", lambda figure: tables[figure.number])
    with translation.override(language):
        for number, table in tables.items():
            figure = SimpleNamespace(number=number, title="Kinderen in armoede & schulden")
            # the former template with the table its tag made given to it (``figure_table`` is replaced here)
            expected = render(REFERENCE_FIGURE_DATA, figure=figure, table=table)
            assert render("{% load public_site %}{% figure_data figure %}", figure=figure) == expected
            assert (expected == "\n") == (table is None)


def recommendation(code, theme=True, marker="", year=None, gap=False, row=()):
    return SimpleNamespace(
        code=code,
        get_absolute_url=lambda: f"/aanbevelingen/1/{code}/?a=1&b=2",
        theme=SimpleNamespace(number=7, nav_label="Jeugd & zorg") if theme else None,
        text="<p>Het Comité beveelt aan dat de Staat " + "zorgt voor veilige opvang " * 5 + "&amp; meer.</p>",
        latest_marker=mark_safe(marker),
        latest_movement_year=year,
        has_data_gap=gap,
        movement_row=[(SimpleNamespace(year=y), mark_safe(cell)) for y, cell in row],
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_trackers_results_are_the_templates_bytes(language):
    results = [
        recommendation(
            "15b",
            marker='<span class="movement">▲</span>',
            year=2033,
            gap=True,
            row=[(2032, "<span>–</span>"), (2033, '<span class="movement">▲</span>')],
        ),
        recommendation("22(d)", theme=False),
        recommendation("41<i>", row=[(2033, '<span class="meta">niet besproken</span>')]),
    ]
    page = SimpleNamespace(object_list=results)
    with translation.override(language):
        expected = render('{% include "reference/tracker_results.html" %}', page=page)
        ours = render(
            "{% load public_site %}  {% if page.object_list %}\n  {% tracker_results page.object_list %}\n{% endif %}\n",
            page=page,
        )
    assert ours == expected
    assert (
        "Nog in geen editie besproken." in ours or "Not yet discussed in any edition." in ours
    )  # the branch without a row was taken


class EditionStub:
    def __init__(self, year, period="", published=None, pdf_size=None):
        self.year, self.reporting_period_label, self.publication_date = year, period, published
        self.current_pdf = (
            SimpleNamespace(get_absolute_url=lambda: f"/editie/{year}/rapport.pdf?v=2&x=<1>", size=pdf_size) if pdf_size else None
        )

    def __str__(self):
        return f"Kinderrechten in Beweging {self.year} & <meer>"

    def get_absolute_url(self):
        return f"/editie/{self.year}/"

    def get_series_display(self):
        return "Jaarlijks & tussentijds"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_home_pages_list_of_editions_is_the_templates_bytes(language):
    editions = [
        EditionStub(2033, period="2032 – 2033 & later", published=datetime.date(2033, 11, 20), pdf_size=874_748),
        EditionStub(2025, published=datetime.date(2025, 1, 5)),
        EditionStub(2020, period="2019", pdf_size=12),
        EditionStub(2019),
    ]
    with translation.override(language):
        expected = render('{% include "reference/edition_archive.html" %}', editions=editions)
        ours = render("{% load public_site %}  {% edition_archive editions %}\n", editions=editions)
    assert ours == expected
    assert ours.count('class="pdf-link"') == 2 and "854" in ours  # 874,748 bytes: 854,2 KB


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("thousands", [False, True])
def test_a_value_is_shown_as_the_template_shows_it(language, thousands, settings):
    """``shown`` against ``{{ value }}`` for what the parts written in Python show: numbers (its short cut for
    an ``int``, and what it must not short-cut: a bool, a float, grouped digits), text, safe text, dates."""
    from kib.rendered import shown

    settings.USE_THOUSAND_SEPARATOR = thousands
    values = [2024, 0, -3, 1234567, True, 12.5, "Jeugd & <zorg>", mark_safe("<b>al veilig</b>"), datetime.date(2025, 3, 1), None]
    with translation.override(language):
        for value in values:
            context = Context({"value": value})
            assert shown(value, context) == ENGINE.from_string("{{ value }}").render(context), value
