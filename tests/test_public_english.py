"""The public site in English, as a visitor who pressed "English" reads it.

Two published editions of one theme (2024, and 2025 started from it and edited), so that every
page has today's texts to show: the chapter page with "What has changed since …", the
recommendation's timeline (rewritten, unchanged, no longer mentioned), the tracker, the search and
an indicator page. Each page is fetched after the language switch (a link to ``switch_language``, which
sets the language cookie) and its interface text, i.e. everything not inside an element marked
``lang="nl"`` (the report's own text is Dutch by nature), must hold none of the Dutch interface
phrases below. The English that replaces them is asserted too, so a page that stopped showing a
section cannot pass by saying nothing.
"""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from indicators.models import Indicator
from kib.workflow import services
from tests import factories as f
from themes.models import ChapterRecommendation, DevelopmentItem, LatestDevelopment

pytestmark = pytest.mark.django_db

# Dutch interface chrome that must not appear on an English page (the report's name, "Kinderrechten
# in Beweging", and its content are Dutch by nature and not listed).
DUTCH_UI = [
    "Wat is er veranderd",
    "Vergeleken met",
    "ongewijzigd",
    "onderdelen",
    "herschreven",
    "vervallen",
    "niet meer besproken",
    "niet meer genoemd",
    "Bekijk wat",
    "Wat er in de tekst",
    "De hele tekst",
    "Wat de edities erover zeiden",
    "Beweging sinds",
    "Blinde vlekken",
    "Lees het hele hoofdstuk",
    "Hoofdstuk",
    "Inleidende vraag",
    "Zo staat het ervoor",
    "Definities",
    "Kengetallen",
    "Ontwikkelingen per aanbeveling",
    "Laatste ontwikkelingen",
    "Vrije secties",
    "Aanbeveling",
    "aanbevelingen",
    "nieuw",
    "Zoeken",
    "Zoek",
    "Naar de inhoud",
    "Edities",
    "Cijfers en open data",
    "Alle edities",
    "Alle thema",
    "vooruitgang",
    "geen beoordeling",
    "niet beoordeeld",
    "geen gegevens",
    "procentpunt",
    "voorlopig",
    "schatting",
    "Bron",
    "Periode",
    "Gebied",
    "Waarde",
    "Toelichting",
    "Verslagperiode",
    "verschenen",
    "Download het",
    "Thema",
]

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class InterfaceText(HTMLParser):
    """The text a visitor sees or hears (and the labels, titles, placeholders), outside lang="nl"."""

    def __init__(self):
        super().__init__()
        self.open, self.parts = [], []

    def dutch(self):
        for _tag, lang in reversed(self.open):
            if lang:
                return not lang.startswith("en")
        return False

    def attributes(self, attrs):
        for name in ("alt", "title", "aria-label", "placeholder"):
            if attrs.get(name) and not self.dutch():
                self.parts.append(attrs[name])

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in VOID:
            if attrs.get("lang", "en").startswith("en"):
                self.attributes(attrs)
            return
        self.open.append((tag, attrs.get("lang")))
        self.attributes(attrs)

    def handle_startendtag(self, tag, attrs):
        attrs = dict(attrs)
        self.open.append((tag, attrs.get("lang")))
        self.attributes(attrs)
        self.open.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data):
        if any(tag in ("script", "style") for tag, _lang in self.open) or self.dutch():
            return
        if data.strip():
            self.parts.append(" ".join(data.split()))


def interface_text(html):
    parser = InterfaceText()
    parser.feed(html)
    # the report's name is a proper name, in Dutch on every page
    return re.sub(r"Kinderrechten in (Beweging|Cijfers)", "KIB", " · ".join(parser.parts))


def dutch_in(text):
    return [phrase for phrase in DUTCH_UI if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)]


@pytest.fixture
def site():
    """2024 published; 2025 started from it, edited by its editor, published."""
    theme = f.theme(title="Jeugdhulp", slug="jeugdhulp")
    r15b = f.recommendation("15b", theme=theme)
    r22d = f.recommendation("22d", co=r15b.concluding_observations, theme=theme)
    first = f.edition(year=2024, concluding_observations=r15b.concluding_observations)
    f.chapter_parts(f.chapter(edition=first, theme=theme), [r15b], "wachtlijst")
    f.publish(first)
    coordinator = f.coordinator()
    second = services.start_next_edition(first, by=coordinator)
    chapter = second.chapters.get(theme=theme)
    chapter.summary = "<p>De wachtlijst is langer geworden.</p>"
    chapter.save()
    LatestDevelopment.objects.create(chapter=chapter, title="Nieuwe wet", body="<p>De wet is aangenomen.</p>")
    items = DevelopmentItem.objects.filter(group__chapter=chapter, territory="NL").order_by("pk")
    rewritten, removed = items[0], items[1]
    rewritten.body = "<p>De wachtlijst daalde eerst en steeg daarna.</p>"
    rewritten.save()
    removed.delete()
    ChapterRecommendation.objects.filter(chapter=chapter, recommendation=r15b).update(
        movement="regression", movement_reasoning="De wachtlijst groeide."
    )
    ChapterRecommendation.objects.create(chapter=chapter, recommendation=r22d)
    f.publish(second)
    chapter.refresh_from_db()
    return {
        "theme": theme,
        "first": first,
        "second": second,
        "chapter": chapter,
        "r15b": r15b,
        "indicator": Indicator.objects.get(theme=theme),
    }


@pytest.fixture
def english(client):
    response = client.get(reverse("public:switch_language", args=["en"]), {"next": "/"})
    assert response.status_code == 302
    return client


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert '<html lang="en"' in html, url
    return interface_text(html)


def assert_english(text, *expected):
    assert dutch_in(text) == [], text
    missing = [phrase for phrase in expected if phrase not in text]
    assert missing == [], text


def test_home_and_edition_in_english(english, site):
    assert_english(page(english, "/"), "Skip to content", "Latest edition", "Search all editions")
    assert_english(page(english, site["second"].get_absolute_url()), "Themes", "Open data")


def test_chapter_page_says_what_changed_in_english(english, site):
    html = english.get(site["chapter"].get_absolute_url()).content.decode()
    changes = re.search(r'<section class="changes".*?</section>', html, re.S).group(0)
    # the rewritten summary is named by its English label (the changed part's title is marked lang="nl")
    assert "Where things stand" in changes and "Zo staat het ervoor" not in changes
    assert_english(
        interface_text(html),
        "What has changed since KIB 2024",
        "Compared with · the chapter in the previous edition",
        "parts were carried over unchanged.",
        "Chapter · rewritten · See what changed in the text",
        "Developments by recommendation · rewritten",
        "removed",
        "Latest developments · new",
        "Recommendations · Recommendation 15b · : · ▼",
        "new · Recommendation 22d",
    )


def test_unchanged_chapter_says_nothing_changed_in_english(english, site):
    coordinator = f.coordinator(username="coordinator-2026")
    third = services.start_next_edition(site["second"], by=coordinator)
    f.publish(third)
    text = page(english, third.chapters.get().get_absolute_url())
    assert_english(text, "What has changed since KIB 2025", "Nothing: the texts and recommendations are the same")


def test_recommendation_timeline_in_english(english, site):
    text = page(english, site["r15b"].get_absolute_url())
    assert_english(
        text,
        "What the editions said",
        "Movement since the previous edition:",
        "rewritten since KIB 2024",
        "What changed in the text",
        "The full text",
        "unchanged since KIB 2024",
        "no longer mentioned",
        "Data gaps: the same as in the previous edition.",
        "Read the whole chapter",
    )


def test_tracker_in_english(english, site):
    assert_english(page(english, reverse("public:recommendations")), "Recommendation tracker", "Show recommendations", "All editions")


def test_search_in_english(english, site):
    text = page(english, reverse("public:search") + "?q=wachtlijst")
    assert_english(text, "Search the text of every published edition", "found for")


def test_indicator_pages_in_english(english, site):
    assert_english(page(english, reverse("public:indicators")), "Figures and open data", "Open data by edition")
    text = page(english, site["indicator"].get_absolute_url())
    assert_english(text, "Download the figures (CSV)", "All observations", "Period", "Value", "provisional figure")


def test_the_check_catches_dutch_chrome():
    """The filter itself: Dutch outside lang="nl" is caught, Dutch inside it is report text."""
    html = '<main><h2>Wat is er veranderd sinds 2024</h2><p lang="nl">Hoofdstuk over vervallen regels</p></main>'
    assert dutch_in(interface_text(html)) == ["Wat is er veranderd"]
    assert dutch_in(interface_text('<input placeholder="Zoeken">')) == ["Zoeken"]
    assert dutch_in(interface_text("<p>Kinderrechten in Beweging 2025</p>")) == []
