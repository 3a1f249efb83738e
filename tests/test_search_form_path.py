"""The search page's two paths: values the form accepts fill the kept page; any other value takes the form.

The kept page (``themes.views._search_frame``) is rendered once with the form unfilled and cut at
its slots; a search whose values the form would accept only puts the visitor's words, the chosen
options and the results between the pieces, without building ``SearchForm``. Anything the form
would refuse (an unknown edition or theme, words too long, a null character) is handed to the form,
which says what is wrong, and nothing is searched.

The cast: an anonymous visitor (a journalist) searching 2024 (published) while 2025 is in preparation.
"""

import html as html_module
import re

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from kib.models import Edition
from tests import factories as f
from themes import search, views
from themes.models import Chapter, ChapterSection

pytestmark = pytest.mark.django_db
URL = reverse("public:search")


@pytest.fixture
def published():
    youth = f.theme(number=6, slug="jeugdhulp", title="Jeugdhulp", nav_label="Jeugdhulp")
    chapter = f.chapter(edition=f.edition(year=2024, state=Edition.State.PUBLISHED), theme=youth, state=Chapter.State.APPROVED)
    ChapterSection.objects.create(chapter=chapter, title="Toegang", body="<p>De wachtlijst voor jeugdzorg groeit.</p>")
    f.edition(year=2025)
    return chapter


def page(client, data):
    response = client.get(URL, data)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"q": "wachtlijst " * 19}, "niet meer dan 200 tekens"),
        ({"q": "wacht\x00lijst"}, "Null-tekens zijn niet toegestaan"),
        ({"q": "wachtlijst", "editie": "2025"}, "onbekende waarde ‘2025’"),
        ({"q": "wachtlijst", "editie": " 2024"}, "onbekende waarde"),
        ({"q": "wachtlijst", "thema": "Jeugdhulp"}, "onbekende waarde ‘Jeugdhulp’"),
    ],
)
def test_a_value_the_form_refuses_is_named_and_nothing_is_searched(client, published, data, message):
    html = page(client, data)
    assert message in html and 'class="form-errors" role="alert"' in html
    assert "passages gevonden" not in html and "<mark>" not in html
    assert "<!--kib:" not in html and "kib0slot0" not in html


def test_accepted_values_fill_the_kept_page_as_the_form_would(client, published):
    html = page(client, {"q": "  wachtlijst  ", "editie": "2024", "thema": "jeugdhulp"})
    assert "1 passage gevonden voor ‘wachtlijst’" in html and "<mark>wachtlijst</mark>" in html
    assert 'id="id_q" value="  wachtlijst  "' in html  # what the visitor typed, as the form shows it
    assert '<option value="2024" selected>' in html and '<option value="jeugdhulp" selected>' in html
    assert "form-errors" not in html and "has-error" not in html
    assert html.count("<title>") == 1 and "<title>Zoeken: wachtlijst · " in html
    assert "kib0slot0" not in html and "<!--kib:" not in html


def test_the_slot_words_typed_by_a_visitor_open_no_slot(client, published):
    typed = " ".join([views.WORDS_SLOT, *views.OPTIONS_SLOTS.values(), views.RESULTS_SLOT, "wachtlijst"])
    html = page(client, {"q": typed})
    assert html.count('<section class="search-results"') == 1 and html.count("<select") == 2
    # Only where the visitor's words are shown: the title, the language link's return path, the box, the heading.
    assert html.count(views.RESULTS_SLOT) == html.count(views.WORDS_SLOT) == 4
    assert html.count('<p class="language">') == 1


@pytest.mark.parametrize(
    "text",
    [
        "<p>De <strong>wachtlijst</strong> groeit.</p><ul><li>jeugdzorg</li></ul>",
        'Kinderen &lt; 18 jaar <a href="/x" title="a &gt; b">wachtlijst</a><br>meer',
        "Kinderen < 18 jaar op de wachtlijst",
        "<!-- opmerking --><p>wachtlijst&nbsp;&amp; jeugdzorg</p>",
    ],
)
def test_a_passage_reads_the_text_as_strip_tags_does(text):
    expected = " ".join(html_module.unescape(strip_tags(text)).split())
    shown = html_module.unescape(re.sub(r"</?mark>", "", str(search.passage("", text, "wachtlijst"))))
    assert shown == expected
