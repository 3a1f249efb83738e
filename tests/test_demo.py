"""The demo holds the real 2024 report as printed, and loading it twice changes nothing."""

import re

import pytest
from django.core.management import call_command

from kib.models import Edition, Source
from recommendations.models import Recommendation
from themes.models import Chapter, DevelopmentGroup, Figure, Theme

pytestmark = pytest.mark.django_db

# Taken from the seed report (the recommendation list of each chapter, and every "Figuur N." caption).
SEED_CODES = [
    "15b",
    "15c",
    "15d",
    "15g",
    "17a",
    "17b",
    "17c",
    "19a",
    "19b",
    "22a",
    "22b",
    "22d",
    "22g",
    "22h",
    "24a",
    "25a",
    "25c",
    "25d",
    "25g",
    "25i",
    "27a",
    "27b",
    "27c",
    "29a",
    "29b",
    "33a",
    "33b",
    "33c",
    "33d",
    "34a",
    "34b",
    "37a",
    "37b",
    "37f",
    "38a",
    "38b",
    "38d",
    "38e",
    "39a",
    "39b",
    "39c",
    "41a",
    "41b",
    "41c",
    "41d",
    "41f",
    "41h",
    "41i",
    "42",
]

SEED_FIGURES = [
    (1, 1, "Aantal meldingen bij anti-discriminatievoorzieningen (niet uitgesplitst naar leeftijd)"),
    (1, 2, "Overzicht discriminatieregistraties 2020-2023"),
    (2, 1, "Aantal kinder- en jongerenparticipatie initiatieven per provincie 2022-2023"),
    (
        2,
        2,
        "Aantal partners van de Alliantie Kinderarmoede, dat kinderen en jongeren betrekt bij vormgeving van armoedebeleid",
    ),
    (3, 1, "Totaal aantal meldingen en adviezen kindermishandeling bij Veilig Thuis 2019-2023"),
    (3, 2, "Aantal acute en niet-acute meldingen (bij benadering) over seksueel misbruik van minderjarige"),
    (3, 3, "Meldingen van seksueel misbruik bij Veilig Thuis, uitgesplitst naar duur van het geweld 2019-2022"),
    (3, 4, "Aantal afgeronde diensten onderzoek door Veilig thuis over kindermishandeling"),
    (3, 5, "Aard van het geweld en/of mishandeling van het totaal aantal meldingen bij Veilig Thuis"),
    (3, 6, "Aantal meldingen van kindermishandeling op Bonaire 2021-2023"),
    (4, 1, "Jeugdhulp en -bescherming"),
    (4, 2, "Totaal aantal kinderen met jeugdhulp"),
    (4, 3, "Aantal jongeren in residentiële jeugdhulp**"),
    (4, 4, "Aantal kinderen dat op pleegzorg wacht"),
    (4, 5, "Gezinsgerichtverblijf"),
    (4, 6, "Aantal spoeduithuisplaatsingen"),
    (5, 1, "Cijfer levenstevredenheid BO (groep 7 en 8) en VO 2021 (12-16 jaar)"),
    (5, 2, "Percentage jongeren met psychische klachten"),
    (5, 3, "Stress en prestatiedruk 2019-2023"),
    (5, 4, "Aantal zelfdodingen onder kinderen (tot 19 jaar)"),
    (5, 5, "Aantal jongeren (0-22 jaar) met jeugdhulp naar financieringsvorm*"),
    (6, 1, "Percentage alleen minderjarige kinderen met een risico op armoede"),
    (7, 1, "Kengetallen toegang onderwijs in Nederland*"),
    (7, 2, "Aantal kinderen vrijgesteld van leerplicht en per reden*"),
    (7, 3, "Verzuimcijfers onderwijs**"),
    (7, 4, "Aantal voortijdige schoolverlaters*"),
    (8, 1, "Aantal onbegeleide kinderen dat asiel aanvraagt"),
    (8, 2, "Gemiddeld aantal verhuizingen tussen opvanglocaties van minderjarige asielzoekers"),
    (8, 3, "Reden van verhuizingen van minderjarige kinderen (amv’s en kinderen in gezinnen)"),
    (8, 4, "Aantal kinderen in noodopvanglocaties 2022-2024"),
    (8, 5, "Gezinshereniging en nareis 2023"),
    (
        9,
        1,
        "Aantal bij CoMensha gemelde minderjarige slachtoffers van uitbuiting per vorm van mensenhandel in de periode 2018-2022*",
    ),
    (9, 2, "Aantal (mogelijke) minderjarige slachtoffers van seksuele uitbuiting"),
    (
        9,
        3,
        "Jaarlijkse meldingen van beeldmateriaal van seksueel kindermisbruik bij TBKK per jaar in de periode 2018-2022",
    ),
    (9, 4, "Aantal gemeenten dat beschikt over beleid gericht op aanpak mensenhandel"),
    (10, 1, "Het aantal (unieke) minderjarigen dat is verhoord door politie en dat door de politie is aangehouden"),
    (10, 2, "Aantal minderjarigen dat in een arrestanten cel verbleef (niet unieke arrestanten)"),
    (10, 3, "Aantal inverzekeringstellingen van minderjarigen 12 t/m 17 jaar (unieke acties)"),
    (10, 4, "Aantal unieke minderjarigen in een justitiele jeugdinrichting (JJI)"),
]

SEED_THEMES = [
    "Non-discriminatie",
    "Kinder- en jongerenparticipatie",
    "Geweld tegen kinderen",
    "Jeugdhulp en jeugdbescherming",
    "Mentaal welzijn",
    "Armoede",
    "Onderwijs",
    "Migratie",
    "Kinderhandel en (seksuele) uitbuiting",
    "Jeugdstrafrecht",
]


def test_demo_2024_holds_the_seeds_ten_themes(demo_db):
    assert list(Theme.objects.values_list("title", flat=True)) == SEED_THEMES
    edition = Edition.objects.get(year=2024)
    assert edition.state == Edition.State.PUBLISHED
    assert list(edition.chapters.values_list("theme__number", flat=True)) == list(range(1, 11))


def test_demo_2024_holds_exactly_the_seeds_49_recommendations(demo_db):
    assert len(SEED_CODES) == 49
    assert list(Recommendation.objects.order_by("sort_key").values_list("code", flat=True)) == SEED_CODES
    # Full text, not just the code.
    assert all(len(text) > 60 for text in Recommendation.objects.values_list("text", flat=True))
    assert "antidiscriminatiebureau" in Recommendation.objects.get(code="15b").text


def test_demo_2024_holds_exactly_the_seeds_39_figures(demo_db):
    assert len(SEED_FIGURES) == 39
    figures = Figure.objects.filter(chapter__edition__year=2024).order_by("chapter__theme__number", "number")
    assert [
        (f.chapter.theme.number, f.number, f.title) for f in figures.select_related("chapter__theme")
    ] == SEED_FIGURES
    assert all(figure.source_line for figure in figures), "every figure has its 'Bron:' line"


def test_every_chapter_has_the_printed_sections(demo_db):
    for chapter in Chapter.objects.filter(edition__year=2024):
        assert chapter.focus and chapter.intro_question and chapter.summary, chapter
        assert chapter.definitions.exists(), chapter
        assert chapter.chapter_recommendations.exists(), chapter
        assert chapter.development_groups.filter(kind=DevelopmentGroup.Kind.POLICY).exists(), chapter
        assert chapter.latest_developments.exists(), chapter
        assert chapter.citations.exists(), chapter
        if chapter.headline_kind != Chapter.HeadlineKind.NONE:
            assert chapter.headline_values.count() >= 2, chapter


def test_extraction_noise_is_cleaned(demo_db):
    noise = re.compile(r"KINDERRECHTEN\s+IN BEWEGING|uitbuiting 10 Jeugdstrafrecht|\u2022|\ufffd")
    for chapter in Chapter.objects.filter(edition__year=2024):
        texts = [chapter.summary, chapter.focus, chapter.intro_question]
        for group in chapter.development_groups.all():
            texts += [item.body for item in group.items.all()] + [group.title]
        for text in texts:
            assert not noise.search(text), (chapter, text[:200])


def test_the_sources_are_linked_where_they_are_cited(demo_db):
    urls = Source.objects.exclude(url=None).exclude(url="")
    assert urls.count() == 286
    assert not urls.filter(citations=None).exists(), "every URL is cited from some part of a chapter"
    # One URL may be cited in several chapters.
    assert any(source.citations.values("chapter").distinct().count() > 1 for source in urls)


def test_codes_as_printed_are_kept_on_groups(demo_db):
    group = DevelopmentGroup.objects.get(printed_codes__contains="42b(iii)")
    assert group.codes() == ["42b(iii)"]
    assert [r.code for r in group.recommendations.all()] == ["42"]


def test_the_codes_loaded_for_many_groups_at_once_are_the_codes_each_group_reads(demo_db, django_assert_num_queries):
    groups = list(DevelopmentGroup.objects.order_by("pk"))
    each = [group.codes() for group in DevelopmentGroup.objects.order_by("pk")]  # from its own recommendations
    assert sum(len(group.recommendations.all()) > 1 for group in groups) > 5, "groups linking several codes"
    with django_assert_num_queries(1):
        DevelopmentGroup.load_linked_codes(groups)
    with django_assert_num_queries(0):
        assert [group.codes() for group in groups] == each
    assert ["42b(iii)"] in each and any(len(codes) > 1 for codes in each)


def test_demo_2020_edition_has_six_topics_with_concerns_and_figures(demo_db):
    edition = Edition.objects.get(year=2020)
    assert edition.series == Edition.Series.CIJFERS and edition.is_published
    assert "1995" in edition.about
    chapters = edition.chapters.all()
    assert chapters.count() == 6
    for chapter in chapters:
        titles = list(chapter.sections.values_list("title", flat=True))
        assert "Cijfers" in titles, chapter
    assert edition.chapters.filter(sections__title="Waar maken we ons zorgen over?").count() == 5


def test_load_demo_twice_changes_nothing():
    call_command("load_demo", verbosity=0)
    before = _snapshot()
    call_command("load_demo", verbosity=0)
    assert _snapshot() == before


def _snapshot():
    from django.apps import apps

    return {
        model._meta.label: sorted(model.objects.values_list("pk", flat=True))
        for model in apps.get_models()
        if model._meta.app_label in {"kib", "themes", "recommendations", "indicators", "auth"}
    } | {"summaries": list(Chapter.objects.order_by("pk").values_list("summary", flat=True))}
