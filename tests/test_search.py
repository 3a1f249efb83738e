"""Search across every published edition, as a journalist uses it (anonymous visitor).

Results grouped by edition and chapter, the matching words marked and everything else escaped,
filters by edition and theme, never a word from the edition in preparation, a fixed and small
number of queries. On PostgreSQL the Dutch full-text configuration stems ("wachtlijsten" finds
"wachtlijst") over a GIN-indexed expression; on SQLite every word must occur as written.
"""

import html
import random
import re
from html import unescape as html_unescape

import pytest
from django.db import connection
from django.urls import reverse

from tests import factories as f
from themes import search
from themes.models import Chapter, ChapterSection, LatestDevelopment

pytestmark = pytest.mark.django_db
URL = reverse("public:search")


def page(client, query):
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


def words(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def editions():
    """2020 (Cijfers), 2023 and 2024 published, 2025 in preparation; "jeugdzorg" chapters in each."""
    youth = f.theme(number=6, slug="jeugdhulp", title="Jeugdhulp", nav_label="Jeugdhulp")
    other = f.theme(number=2, slug="armoede", title="Armoede", nav_label="Armoede")
    result = {}
    for year in (2020, 2023, 2024):
        edition = f.edition(year=year, title="Kinderrechten in Cijfers" if year == 2020 else "Kinderrechten in Beweging")
        chapter = f.chapter(edition=edition, theme=youth, state=Chapter.State.APPROVED)
        ChapterSection.objects.create(
            chapter=chapter, title="Toegang", body=f"<p>In {year} stond de <strong>wachtlijst</strong> voor jeugdzorg op 80.000 kinderen.</p>"
        )
        f.chapter(edition=edition, theme=other, state=Chapter.State.APPROVED, summary="<p>Armoede op Bonaire.</p>")
        result[year] = f.publish(edition)
    draft = f.edition(year=2025)
    chapter = f.chapter(edition=draft, theme=youth)
    ChapterSection.objects.create(chapter=chapter, title="Concept", body="<p>ZEPPELIN-4471 wachtlijst jeugdzorg concept.</p>")
    LatestDevelopment.objects.create(chapter=chapter, title="ZEPPELIN-4471", body="<p>Bonaire ZEPPELIN-4471</p>")
    result[2025] = draft
    return result


def test_search_finds_passages_in_every_published_edition_newest_first(client, editions):
    html = page(client, "?q=wachtlijst+jeugdzorg")
    headings = re.findall(r'<h3 id="editie-(\d+)">', html)
    assert headings == ["2024", "2023", "2020"]
    assert "3 passages gevonden voor ‘wachtlijst jeugdzorg’" in words(html)
    assert html.count("<mark>wachtlijst</mark>") == 3 and html.count("<mark>jeugdzorg</mark>") == 3
    assert 'href="/editie/2024/jeugdhulp/"' in html and 'href="/editie/2020/jeugdhulp/"' in html


def test_search_never_finds_the_edition_in_preparation(client, editions):
    html = page(client, "?q=ZEPPELIN-4471")
    assert "ZEPPELIN" not in html.replace("ZEPPELIN-4471’", "").split("<h2 id=\"results-title\">")[1].split("</h2>", 1)[1]
    assert "0 passages gevonden" in words(html)
    assert "2025" not in html
    assert "2025" not in page(client, "?q=wachtlijst") and "ZEPPELIN" not in page(client, "?q=Bonaire")


def test_search_of_the_draft_edition_by_filter_is_an_unknown_value(client, editions):
    html = page(client, "?q=wachtlijst&editie=2025")
    assert "Editie: onbekende waarde ‘2025’" in words(html)
    assert "ZEPPELIN" not in html and "passages gevonden" not in html


def test_search_filters_by_edition_and_theme(client, editions):
    assert re.findall(r'<h3 id="editie-(\d+)">', page(client, "?q=wachtlijst&editie=2023")) == ["2023"]
    assert "0 passages" in words(page(client, "?q=wachtlijst&thema=armoede"))
    html = page(client, "?q=Bonaire&thema=armoede&editie=2020")
    assert re.findall(r'<h3 id="editie-(\d+)">', html) == ["2020"] and "<mark>Bonaire</mark>" in html


@pytest.mark.parametrize("query", ["?q=x&thema=sport", "?q=x&editie=abc", "?q=x&editie=1999"])
def test_search_with_an_unknown_filter_value_says_so_and_searches_nothing(client, editions, query):
    html = page(client, query)
    assert "onbekende waarde" in html and "passages gevonden" not in html


def test_search_escapes_the_visitors_words_and_the_text(client, editions):
    chapter = Chapter.objects.get(edition=editions[2024], theme__slug="armoede")
    ChapterSection.objects.create(chapter=chapter, title="Tekens", body="<p>Kosten &lt;script&gt;alert(1)&lt;/script&gt; jeugdzorg</p>")
    html = page(client, "?q=%3Cscript%3Ealert(1)%3C/script%3E+jeugdzorg")
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    html = page(client, "?q=jeugdzorg+kosten")
    assert "&lt;" in html and "<script>alert" not in html and "<mark>Kosten</mark>" in html


def test_search_box_is_on_every_public_page(client, editions):
    for url in ["/", "/editie/2024/", "/editie/2024/jeugdhulp/", reverse("public:recommendations"), reverse("public:indicators")]:
        html = page(client, "") if url == URL else client.get(url).content.decode()
        assert f'<form class="site-search" role="search" method="get" action="{URL}">' in html, url


def test_search_results_page_costs_at_most_ten_queries(client, editions, django_assert_max_num_queries):
    for year in (2021, 2022):  # more editions, more chapters, more hits: still the same queries
        edition = f.edition(year=year)
        f.full_chapter(edition, f.theme(), text="wachtlijst jeugdzorg")
        f.publish(edition)
    with django_assert_max_num_queries(10):
        html = page(client, "?q=wachtlijst+jeugdzorg")
    assert len(re.findall(r'<h3 id="editie-', html)) == 5


def test_empty_search_shows_the_form_only(client, editions):
    html = page(client, "")
    assert 'name="q"' in html and "passages gevonden" not in html


def test_search_stems_dutch_on_postgresql_and_matches_words_on_sqlite(client, editions):
    html = page(client, "?q=wachtlijsten")
    if connection.vendor == "postgresql":
        assert re.findall(r'<h3 id="editie-(\d+)">', html) == ["2024", "2023", "2020"]
        assert "<mark>wachtlijst</mark>" in html
    else:
        assert "0 passages gevonden" in words(html)
        assert re.findall(r'<h3 id="editie-(\d+)">', page(client, "?q=wachtlijst")) == ["2024", "2023", "2020"]


def test_search_expression_has_a_gin_index_on_postgresql_only(editions):
    from themes.search import SOURCES, matching

    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%search_nl'")
            assert cursor.fetchall() == []
            return
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%search_nl'")
        assert {row[0] for row in cursor.fetchall()} == {f"{s.table}_search_nl" for s in SOURCES}
        # The search's own expression, alone on its table: the planner can answer it from the GIN index
        # (on the tiny test tables it may rightly prefer another path in the full query).
        from django.contrib.postgres.search import SearchQuery

        from themes.search import SearchDocument

        query = ChapterSection.objects.annotate(document=SearchDocument()).filter(
            document=SearchQuery("wachtlijst", config="dutch", search_type="websearch")
        )
        sql, params = query.values("pk").query.sql_with_params()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        assert len(matching(next(s for s in SOURCES if s.model is ChapterSection), "wachtlijst")) == 3
        assert "themes_chaptersection_search_nl" in plan, plan


@pytest.mark.parametrize(
    ("text", "query", "expected"),
    [
        # marked in the escaped text, never inside an entity that escaping wrote
        ("<p>Tom &amp; Jerry, l'enfant &lt;amp&gt;</p>", "amp jerry", "Tom &amp; <mark>Jerry</mark>, l&#x27;enfant &lt;<mark>amp</mark>&gt;"),
        ("<p>x27 &quot;quot&quot; kinderen&amp;jongeren</p>", "x27 quot jongeren", "<mark>x27</mark> &quot;<mark>quot</mark>&quot; kinderen&amp;<mark>jongeren</mark>"),
        # the first match starts a word: "zorg" inside "jeugdzorg" is not one, the stem marks the whole word
        ("<p>Jeugdzorg en zorgen</p>", "zorgen", "Jeugdzorg en <mark>zorgen</mark>"),
        ("<p>#wachtlijsten blijven</p>", "wachtlijst", "#<mark>wachtlijsten</mark> blijven"),
    ],
)
def test_a_passage_marks_whole_words_in_the_escaped_text(text, query, expected):
    assert str(search.passage("", text, query)) == expected


def test_a_passage_starts_near_the_first_word_that_matches():
    filler = "woord " * 200
    text = f"<p>{filler}İstanbul jeugdzorg {filler}wachtlijsten</p>"  # "İ" lowers to two letters: the slow path
    for body in (text, text.replace("İstanbul", "Istanbul")):
        shown = str(search.passage("", body, "wachtlijsten jeugdzorg"))
        assert shown.startswith("… ") and "<mark>jeugdzorg</mark>" in shown and "wachtlijsten" not in shown
    assert search.marker("jeugdzorg").first("xjeugdzorg _jeugdzorg Jeugdzorg") == len("xjeugdzorg _jeugdzorg ")
    assert search.marker("jeugdzorg").first("geen") is None


def _passage_the_plain_way(title, body, query):
    """``search.passage`` as first written: the whole text folded with split/join and lowered to find the match."""
    text = search.TAG.sub("", f"{title} · {body}" if title and body else title or body)
    if "&" in text:
        text = html.unescape(text)
    text = " ".join(text.split())
    pattern = search.marker(query)
    first = None
    if pattern:
        lowered = text.lower()
        if len(lowered) != len(text):
            match = pattern.pattern.search(text)
            first = match.start() if match else None
        else:
            best = len(text)
            for stem in pattern.stems:
                at = lowered.find(stem, 0, best)
                while at != -1 and at > 0 and (lowered[at - 1].isalnum() or lowered[at - 1] == "_"):
                    at = lowered.find(stem, at + 1, best)
                if at != -1:
                    best = at
            first = best if best < len(text) else None
    start = max(0, first - search.PASSAGE_CHARS // 3) if first else 0
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + search.PASSAGE_CHARS)
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    window = html.escape(text[start:end])
    if pattern:
        window = pattern.mark(window)
    return ("… " if start else "") + window + (" …" if end < len(text) else "")


def test_a_passage_is_what_the_plain_way_gives_for_any_text():
    """The fast paths (no folding when there is nothing to fold, only the text before the first lower-case
    match lowered) give the same passage as folding and lowering everything, whatever the text holds:
    Unicode spaces, line breaks, double spaces, capitals, "İ", entities, tags, words inside words."""
    rng = random.Random(2026)
    pieces = [
        "jeugdzorg", "Jeugdzorg", "JEUGDZORG", "wachtlijsten", "WachtLijst", "xjeugdzorg", "_wachtlijst", "zorg",
        " ", " ", " ", "  ", "\n", "\t", "\xa0", "\u2003", "\u202f", "İ", "Σ", "é", "&amp;", "&nbsp;", "&#39;",
        "<p>", "</p>", "<br>", "< 18", "·", ".", ",", "woord", "kinderen", "de", "1998",
    ]
    for _ in range(3000):
        body = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 120)))
        title = rng.choice(["", "Toegang", " Jeugdzorg  ", "wachtlijst\n"])
        query = rng.choice(["jeugdzorg wachtlijst", "wachtlijsten", "Jeugdzorg", "zorg kinderen", "geen"])
        assert str(search.passage(title, body, query)) == _passage_the_plain_way(title, body, query), (title, body, query)


def passages_of(html):
    """(edition heading, chapter heading, passage) of each hit on a results page, in the order shown."""
    shown = []
    for edition in re.findall(r'<section class="search-edition".*?</section>', html, re.S):
        year = re.search(r'<h3 id="editie-(\d+)"', edition).group(1)
        for chapter in re.findall(r'<article class="search-chapter">.*?</article>', edition, re.S):
            title = words(re.search(r"<h4>.*?</h4>", chapter, re.S).group())
            shown.extend((year, title, words(hit)) for hit in re.findall(r"<li>.*?</li>", chapter, re.S))
    return shown


def test_results_come_in_pages_in_the_same_order_as_one_long_page(client, editions, monkeypatch):
    """A common word finds hundreds of passages over ten editions: a page holds PER_PAGE of them, the heading
    counts them all, and the pages together are the one long list, in its order."""
    for year in (2021, 2022):
        edition = f.edition(year=year)
        f.full_chapter(edition, f.theme(), text="wachtlijst jeugdzorg")
        f.publish(edition)
    everything = passages_of(page(client, "?q=jeugdzorg"))
    assert len(everything) >= 7 and len({year for year, *_ in everything}) >= 4
    monkeypatch.setattr(search, "PER_PAGE", 3)
    pages = []
    first = page(client, "?q=jeugdzorg&thema=")
    assert f"{len(everything)} passages gevonden voor ‘jeugdzorg’" in first
    number, total = 1, -(-len(everything) // 3)
    html = first
    while True:
        pages.append(passages_of(html))
        assert f"<span>Pagina {number} van {total}</span>" in html
        assert ('rel="prev"' in html) == (number > 1)
        next_link = re.search(r'<a rel="next" href="([^"]+)">', html)
        if number == total:
            assert next_link is None
            break
        assert html_unescape(next_link.group(1)) == f"?q=jeugdzorg&pagina={number + 1}"  # the filters left empty stay out
        number += 1
        html = page(client, html_unescape(next_link.group(1)))
    assert all(len(shown) == 3 for shown in pages[:-1]) and 1 <= len(pages[-1]) <= 3
    assert [hit for shown in pages for hit in shown] == everything
    # A page number that is no page: the first page, or the last.
    assert passages_of(page(client, "?q=jeugdzorg&pagina=nul")) == pages[0]
    assert passages_of(page(client, "?q=jeugdzorg&pagina=999")) == pages[-1]


def test_the_page_links_keep_the_filters_and_escape_the_words(client, editions, monkeypatch):
    monkeypatch.setattr(search, "PER_PAGE", 1)
    html = page(client, "?q=jeugdzorg&editie=2024&thema=jeugdhulp")
    assert "1 passage gevonden" in html and '<nav class="pagination"' not in html  # one passage: no pages
    html = page(client, "?q=wachtlijst+%22%3C%26&thema=jeugdhulp")  # the words as typed: wachtlijst "<&
    assert "3 passages gevonden voor ‘wachtlijst &quot;&lt;&amp;’" in html
    assert re.findall(r'<a rel="next" href="([^"]+)">', html) == ["?q=wachtlijst+%22%3C%26&amp;thema=jeugdhulp&amp;pagina=2"]
    second = page(client, "?q=wachtlijst+%22%3C%26&thema=jeugdhulp&pagina=2")
    assert re.findall(r'<a rel="prev" href="([^"]+)">', second) == ["?q=wachtlijst+%22%3C%26&amp;thema=jeugdhulp&amp;pagina=1"]
    assert "<span>Pagina 2 van 3</span>" in second
    assert passages_of(second) != passages_of(html)
