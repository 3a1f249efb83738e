"""The PDF exporter: one edition (or one chapter of it) as a designed, tagged PDF.

The contract of every exporter (``kib.exporters``), plus the two steps the PDF worker needs::

    exporter = EditionPdfExporter(edition, draft=False, chapter=None)
    filename, content_type, data = exporter.render()  # "kinderrechten-in-beweging-2024.pdf", ...
    html = exporter.render_html()      # the exact, self-contained HTML given to WeasyPrint
    result = exporter.write_pdf(path)  # ExportResult(page_count, size, sha256, seconds)

The HTML holds everything it needs (styles inline, fonts as data: URLs), so
``weasyprint --pdf-variant pdf/ua-1 FILE.html out.pdf`` on the output of
``build_pdf --html`` yields the same pages. All database queries happen in
``render_html`` and their number does not grow with chapters or items.
"""

import base64
import hashlib
import re
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify

from kib.exporters import Exporter
from kib.models import Organisation
from kib.publication.fetcher import default_roots
from kib.publication.render import render_pdf
from themes.layout import prefetch_chapters
from themes.models import Chapter, Theme

STYLESHEET = "report/print.css"
DRAFT_STYLESHEET = "report/draft.css"
_URL_RE = re.compile(r"url\((['\"]?)(fonts/[A-Za-z0-9._-]+)\1\)")


@dataclass
class ExportResult:
    page_count: int
    size: int
    sha256: str
    seconds: float


def _static_path(name):
    path = finders.find(name)
    if not path:
        raise FileNotFoundError(f"static/{name} ontbreekt")
    return Path(path)


@lru_cache(maxsize=8)
def _inline_css(name, mtime):
    """The stylesheet with its fonts inlined as data: URLs (cached per file version)."""
    path = _static_path(name)
    css = path.read_text(encoding="utf-8")

    def data_url(match):
        font = path.parent / match.group(2)
        encoded = base64.b64encode(font.read_bytes()).decode("ascii")
        return f'url("data:font/woff2;base64,{encoded}")'

    return _URL_RE.sub(data_url, css)


def report_css(draft=False):
    names = [STYLESHEET] + ([DRAFT_STYLESHEET] if draft else [])
    return "\n".join(_inline_css(name, _static_path(name).stat().st_mtime_ns) for name in names)


class EditionPdfExporter(Exporter):
    identifier = "pdf"
    label = "Het rapport (pdf)"
    content_type = "application/pdf"
    extension = "pdf"
    on_request = False  # minutes of WeasyPrint: built by the worker, the public downloads the stored file

    def __init__(self, edition, draft=False, chapter=None):
        self.edition = edition
        self.draft = draft
        self.chapter = chapter

    @property
    def filename(self):
        base = f"{slugify(self.edition.title)}-{self.edition.year}"
        if str(self.edition.year) in slugify(self.edition.title):
            base = slugify(self.edition.title)
        if self.chapter is not None:
            base += f"-{self.chapter.theme.number:02d}-{self.chapter.theme.slug}"
        if self.draft:
            base += "-concept"
        return f"{base}.pdf"

    @property
    def frozen(self):
        """The published PDF of a published edition draws its charts from the edition's snapshot, as its
        online pages do: a rebuild after a later publication (a repair) prints the numbers published
        with it. A draft preview, and the edition in preparation, draw the live numbers."""
        return not self.draft and self.edition.is_published

    def chapters(self):
        chapters = Chapter.objects.filter(edition=self.edition).order_by("theme__number")
        if self.chapter is not None:
            chapters = chapters.filter(pk=self.chapter.pk)
        return list(prefetch_chapters(chapters, public_only=self.frozen))

    def context(self):
        chapters = self.chapters()
        for chapter in chapters:
            chapter.toc_subtitle = _distinct_title(chapter)
        themes = list(Theme.objects.order_by("number"))
        title = str(self.edition)
        if self.chapter is not None and chapters:
            title = f"{title} – {chapters[0].theme.number}. {chapters[0].display_title}"
        if self.draft:
            title = f"CONCEPT – {title}"
        period = self.edition.reporting_period_label
        subject = (
            "Hoe ver de Nederlandse overheid is met het opvolgen van de aanbevelingen van het VN-Kinderrechtencomité"
        )
        if period:
            subject += f" (verslagperiode {period})"
        keywords = ["kinderrechten", "VN-Kinderrechtencomité", "Kinderrechtencollectief"]
        keywords += [chapter.theme.title for chapter in chapters]
        whole_edition = self.chapter is None
        return {
            "edition": self.edition,
            "chapters": chapters,
            "themes": themes,
            "draft": self.draft,
            "for_print": True,
            "document_title": title,
            "subject": subject,
            "keywords": ", ".join(keywords),
            "css": report_css(self.draft),
            "members": list(Organisation.objects.filter(kind=Organisation.Kind.CORE, is_active=True)),
            "publisher": Organisation.objects.filter(kind=Organisation.Kind.COLLECTIVE, is_active=True).first(),
            "contributors": list(
                Organisation.objects.filter(
                    Q(led_chapters__edition=self.edition) | Q(contributed_chapters__edition=self.edition)
                ).distinct()
            ),
            "has_back_matter": whole_edition,
            "printed_themes": {chapter.theme_id for chapter in chapters},  # the navigation bar links only to these
            "generated_at": timezone.localtime(),
        }

    def render_html(self):
        with translation.override("nl"):
            return render_to_string("report/edition.html", self.context())

    def write_pdf(self, path, html=None, timeout=None):
        """Build the PDF at ``path`` (in a child process, within the wall-clock limit)."""
        html = self.render_html() if html is None else html
        static_dir = _static_path(STYLESHEET).parent
        result = render_pdf(
            html,
            path,
            base_url=static_dir.as_uri() + "/",
            roots=default_roots(),
            timeout=timeout or settings.KIB_PDF_TIMEOUT,
        )
        digest = hashlib.sha256()
        size = 0
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
        return ExportResult(page_count=result.page_count, size=size, sha256=digest.hexdigest(), seconds=result.seconds)

    def render(self):
        with tempfile.TemporaryDirectory(prefix="kib-pdf-") as folder:
            path = Path(folder) / self.filename
            self.write_pdf(path)
            return self.file(path.read_bytes())


def _distinct_title(chapter):
    """The chapter's own title when it says more than the theme's title (else "")."""

    def simple(text):
        return re.sub(r"[^a-z0-9]+", "", (text or "").lower())

    return chapter.title if chapter.title and simple(chapter.title) != simple(chapter.theme.title) else ""


def content_hash(html):
    """Hash of the HTML minus the build time stamp: equal for unchanged content."""
    stable = re.sub(r"Gemaakt op [^<]*\.", "", html)
    return hashlib.sha256(stable.encode("utf-8")).hexdigest()
