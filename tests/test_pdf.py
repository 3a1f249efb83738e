"""The yearly PDF of the 2024 demo edition, read back as a reader's PDF viewer would.

The demo PDF is built once per test run (shared by the test workers through a lock file)
and examined with poppler's tools (pdftotext, pdfinfo, pdftohtml; tools/ensure-tools installs them).
"""

import fcntl
import json
import re
import subprocess
import xml.etree.ElementTree as ET
import zlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kib.models import Edition
from kib.publication.exporter import EditionPdfExporter
from themes.models import Chapter, Figure

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_db")]


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def squash(text):
    """Text without spaces, line breaks or hyphens, so words broken across lines still match."""
    return re.sub(r"[\s\-‐­]+", "", text).lower()


@pytest.fixture
def demo_pdf(demo_db, django_db_blocker, tmp_path_factory, worker_id):
    """The 2024 demo PDF and what the database says it must contain (built once, shared by workers)."""
    run_dir = tmp_path_factory.getbasetemp()
    shared = (run_dir if worker_id == "master" else run_dir.parent) / "kib-demo-pdf"
    shared.mkdir(exist_ok=True)
    pdf, facts = shared / "kinderrechten-in-beweging-2024.pdf", shared / "facts.json"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not facts.exists():
            with django_db_blocker.unblock():
                edition = Edition.objects.get(year=2024)
                result = EditionPdfExporter(edition).write_pdf(pdf)
                chapters = list(
                    Chapter.objects.filter(edition=edition).select_related("theme").order_by("theme__number")
                )
                data = {
                    "page_count": result.page_count,
                    "chapters": [
                        {
                            "number": c.theme.number,
                            "theme": c.theme.title,
                            "nav": c.theme.nav_label,
                            "title": c.display_title,
                        }
                        for c in chapters
                    ],
                    "codes": sorted({r.code for c in chapters for r in c.recommendations.all()}),
                    "figures": list(Figure.objects.filter(chapter__edition=edition).values_list("title", flat=True)),
                }
            facts.write_text(json.dumps(data), encoding="utf-8")
    return pdf, json.loads(facts.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def pages(demo_pdf):
    """The text of each page (pdftotext keeps the reading order; form feeds separate pages)."""
    text = run("pdftotext", "-layout", str(demo_pdf[0]), "-")
    return text.split("\f")[:-1]


def test_demo_pdf_has_a_sane_page_count(demo_pdf):
    pdf, facts = demo_pdf
    info = run("pdfinfo", str(pdf))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages == facts["page_count"]
    assert 60 <= pages <= 200  # ten chapters of 6–15 pages, plus cover, introduction and contents
    assert "A4" in info


def test_every_theme_title_recommendation_code_and_figure_title_is_in_the_text(demo_pdf, pages):
    _, facts = demo_pdf
    text = squash(" ".join(pages))
    missing = [c["theme"] for c in facts["chapters"] if squash(c["theme"]) not in text]
    missing += [f"{code}." for code in facts["codes"] if squash(f"{code}.") not in text]
    missing += [title for title in facts["figures"] if squash(title) not in text]
    assert len(facts["chapters"]) == 10 and len(facts["codes"]) >= 40 and len(facts["figures"]) >= 30
    assert missing == []


def test_table_of_contents_page_numbers_match_the_pages_where_chapters_start(demo_pdf, pages):
    _, facts = demo_pdf
    toc = next(page for page in pages if "Inhoud" in page and "Inleiding" in page)
    for chapter in facts["chapters"]:
        match = re.search(rf"^\s*{chapter['number']}\s+{re.escape(chapter['theme'])}.*?(\d+)\s*$", toc, re.M)
        assert match, f"{chapter['theme']} ontbreekt in de inhoudsopgave"
        start = int(match.group(1))
        running = f"{chapter['number']}. {chapter['nav']}"
        # The footer names the chapter from its first page on, and not on the page before.
        assert running in pages[start - 1], chapter["theme"]
        assert running not in pages[start - 2], chapter["theme"]
        assert squash(chapter["title"]) in squash(pages[start - 1])


def test_bookmarks_go_from_edition_to_theme_to_section(demo_pdf):
    xml = run("pdftohtml", "-xml", "-i", "-stdout", "-q", str(demo_pdf[0]))
    outline = ET.fromstring(xml.encode()).find("outline")
    assert outline is not None, "geen bladwijzers"
    top = [item.text for item in outline.findall("item")]
    assert top == ["Kinderrechten in Beweging 2024"]
    themes = outline.find("outline")
    labels = [item.text for item in themes.findall("item")]
    assert "Inleiding" in labels and "Inhoud" in labels
    assert [label for label in labels if label[0].isdigit()] == [
        f"{n}. {title}" for n, title in [(c["number"], c["theme"]) for c in demo_pdf[1]["chapters"]]
    ]
    sections = [item.text.lower() for item in themes.find("outline").findall("item")]
    assert {"focus", "zo staat het ervoor", "kengetallen", "aanbevelingen vn-kinderrechtencomité"} <= set(sections)


def test_links_to_sources_are_clickable(demo_pdf):
    xml = run("pdftohtml", "-xml", "-i", "-stdout", "-q", "-f", "1", "-l", "12", str(demo_pdf[0]))
    assert 'href="https://www.mensenrechten.nl/' in xml
    assert re.search(r'href="#?\d*"?', xml) or "<a href" in xml


def test_pdf_ua_identifier_title_language_and_metadata(demo_pdf):
    pdf, _ = demo_pdf
    info = run("pdfinfo", str(pdf))
    assert re.search(r"^Title:\s+Kinderrechten in Beweging 2024$", info, re.M)
    assert re.search(r"^Author:\s+Kinderrechtencollectief$", info, re.M)
    assert re.search(r"^Subject:\s+\S", info, re.M) and re.search(r"^Keywords:\s+.*Jeugdstrafrecht", info, re.M)
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    meta = run("pdfinfo", "-meta", str(pdf))
    assert re.search(r"pdfuaid:part(>|=\")1", meta)
    raw = pdf.read_bytes()
    streams = [raw] + [_inflate(m.group(1)) for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S)]
    assert any(b"/Lang (nl)" in s for s in streams)
    assert any(b"/DisplayDocTitle true" in s for s in streams)


def _inflate(data):
    try:
        return zlib.decompress(data)
    except zlib.error:
        return b""


def test_fonts_are_the_shipped_open_sans_embedded(demo_pdf):
    fonts = run("pdffonts", str(demo_pdf[0]))
    rows = fonts.splitlines()[2:]
    assert rows and all("+Open-Sans" in row for row in rows)
    assert all(row.split()[-5] == "yes" for row in rows)  # emb column


def test_a_build_needs_the_same_few_queries_for_one_chapter_or_ten():
    edition = Edition.objects.get(year=2024)
    one = Chapter.objects.get(edition=edition, theme__number=4)
    with CaptureQueriesContext(connection) as whole:
        EditionPdfExporter(edition).render_html()
    with CaptureQueriesContext(connection) as single:
        EditionPdfExporter(edition, chapter=one, draft=True).render_html()
    assert len(whole) <= 50
    assert len(whole) <= len(single) + 1  # content types are cached after the first build


def test_the_data_gaps_of_a_chapter_are_printed_in_the_pdf(demo_db):
    from indicators.models import DataGap

    edition = Edition.objects.get(year=2024)
    gap = DataGap.objects.filter(chapter__edition=edition).select_related("chapter__theme").first()
    assert gap is not None, "the demo records data gaps for 2024"
    html = EditionPdfExporter(edition).render_html()
    chapter_html = html.split(f'id="hoofdstuk-{gap.chapter.theme.number}"', 1)[1].split('class="chapter theme-', 1)[0]
    assert "Blinde vlekken" in chapter_html
    assert gap.description[:60] in chapter_html.replace("&#x27;", "'").replace("&quot;", '"')
