"""Measure a built report PDF as a designer and an accessibility auditor would.

    .venv/bin/python -m bench.pdf_quality report.pdf --html report.html

prints, for the PDF (and the HTML it was made from, written by ``build_pdf --html``):

- pages, and pages more than 45% empty outside the last page of a chapter (or of the cover,
  introduction, contents and back matter);
- footnotes on the page of their call (a call is the footnote's marker, "*", "**" …, at the end
  of a word in the text; the note is the line in the footnote area that starts with it; per
  chapter and marker, calls and notes are aligned in reading order, and a note counts as placed
  when it aligns with a call on its page);
- hyphenation breaks with fewer than three letters on a side, breaks inside words that already
  hold a hyphen, and words split across two pages (the HTML tells a hyphenation break from a
  line break after a real hyphen);
- heading-order violations, untagged running content (marked content that no element of the
  structure tree reaches and that is no artifact), figures without alternative text, tables
  and header cells, language, title, links described by an element id, and headings that
  extract letter by letter ("K E N G E T A L L E N");
- with ``--html``: the contrast of every piece of text against its background as laid out by
  WeasyPrint (4.5:1, large text 3:1).

Everything here reads the files only; ``bench/bench_pdf_quality.py`` builds the demo and
prints these figures beside the build time, and ``tests/test_pdf_quality.py`` asserts them.
"""

import argparse
import html as html_module
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pikepdf

MM = 72 / 25.4
EMPTY_LIMIT = 0.45
TOP_MARGIN = 23 * MM  # print.css: @page margin-top (chapter pages); front pages start higher
BOTTOM_MARGIN = 15 * MM
NS = "{http://www.w3.org/1999/xhtml}"
HYPHENS = "-\u2010\u00ad"
WORD_RE = re.compile(r"[\w\u00ad]+(?:[-\u2010][\w\u00ad]+)*-?", re.UNICODE)
SPACED_RE = re.compile(r"(?<!\S)(?:[A-ZÀ-Ý] ){4,}[A-ZÀ-Ý](?!\S)")


@dataclass
class Line:
    page: int
    top: float
    bottom: float
    words: list
    small: bool = False  # footnote-sized type
    region: str = "body"  # header, footer, body, notes


@dataclass
class Report:
    pages: int = 0
    empty_pages: list = field(default_factory=list)  # (page, fraction), outside ends
    footnotes: int = 0
    footnotes_on_page: int = 0
    footnotes_off_page: list = field(default_factory=list)  # (marker, call pages, note pages) of a chapter
    footnotes_unmatched: int = 0
    url_lines_in_notes: int = 0  # raw addresses printed at the foot of the page
    short_breaks: list = field(default_factory=list)  # (page, "stem-|rest")
    hyphenated_word_breaks: list = field(default_factory=list)
    page_splits: list = field(default_factory=list)
    heading_skips: list = field(default_factory=list)  # ("H3", "H5")
    untagged_running: int = 0
    untagged_pages: int = 0
    figures: int = 0
    figures_without_alt: int = 0
    figures_alt_title_only: int = 0
    tables: int = 0
    header_cells: int = 0
    lang: str = ""
    title: str = ""
    links_uri: int = 0
    distinct_uris: int = 0
    links_internal: int = 0
    links_described_by_id: int = 0
    spaced_headings: list = field(default_factory=list)
    contrast_min: float | None = None
    contrast_failures: list = field(default_factory=list)  # (ratio, colour, background, sample)
    chapter_ends: set = field(default_factory=set)
    line_length: int = 0  # characters of a full body line (the 90th percentile)
    charts: int = 0
    chart_label_min_pt: float | None = None  # the smallest chart text as printed
    small_chart_labels: list = field(default_factory=list)  # (svg id, printed pt) below 6.5 pt

    @property
    def footnote_share(self):
        return self.footnotes_on_page / self.footnotes if self.footnotes else 1.0


# -- text layout (pdftotext -bbox-layout) ----------------------------------------------


def read_lines(pdf_path):
    """Every text line of the PDF with its page, position and words, in reading order."""
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf_path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml, count=1)
    root = ET.fromstring(xml)
    pages = []
    for number, page in enumerate(root.iter(f"{NS}page"), start=1):
        height = float(page.get("height"))
        lines = []
        for line in page.iter(f"{NS}line"):
            words = [w.text or "" for w in line.iter(f"{NS}word")]
            heights = [float(w.get("yMax")) - float(w.get("yMin")) for w in line.iter(f"{NS}word")]
            top, bottom = float(line.get("yMin")), float(line.get("yMax"))
            item = Line(number, top, bottom, words)
            item.height = max(heights) if heights else bottom - top
            if bottom <= TOP_MARGIN - 1:
                item.region = "header"
            elif top >= height - BOTTOM_MARGIN + 1:
                item.region = "footer"
            lines.append(item)
        pages.append((height, lines))
    body_heights = sorted(round(line.height, 1) for _h, lines in pages for line in lines if line.region == "body")
    typical = Counter(body_heights).most_common(1)[0][0] if body_heights else 12
    for _height, lines in pages:
        # The footnote area: the run of small lines at the foot of the body.
        body = [line for line in lines if line.region == "body"]
        for line in sorted(body, key=lambda item: -item.top):
            if line.height < typical * 0.84:
                line.region = "notes"
            else:
                break
    return pages


def _source_words(html_text):
    """Words of the HTML's text (lower case), and the ones written with a trailing hyphen ("kinder-")."""
    text = re.sub(r"<style.*?</style>", " ", html_text, flags=re.S)
    text = html_module.unescape(re.sub(r"<[^>]+>", " ", text)).replace("\u00ad", "")
    words, trailing = set(), set()
    for match in WORD_RE.finditer(text):
        word = match.group(0).lower()
        if word.endswith("-"):
            trailing.add(word)
            word = word.rstrip("-")
        words.add(word)
    return words, trailing


def _strip(word):
    return word.strip("“”‘’\"'()[].,;:!?*")


def hyphenation(pages, html_text, report):
    """Line-end breaks: soft ones with fewer than three letters, inside hyphenated words, across pages."""
    words, trailing = _source_words(html_text)
    body = [line for _h, lines in pages for line in lines if line.region in ("body", "notes") and line.words]
    for line, following in zip(body, body[1:], strict=False):
        last, first = line.words[-1], following.words[0]
        if not last or last[-1] not in HYPHENS or len(last) < 2:
            continue
        stem, rest = _strip(last[:-1]).lstrip(HYPHENS), _strip(first)
        if not stem or not rest:
            continue
        soft, hard = (stem + rest).lower(), (stem + "-" + rest).lower()
        if (stem + "-").lower() in trailing or hard in words and soft not in words:
            continue  # a line break after a real hyphen ("VN-" | "Kinderrechtencomité")
        if soft not in words:
            continue  # not a word of the text: no verdict
        left = re.split(r"[-\u2010]", stem)[-1]
        right = re.split(r"[-\u2010]", rest)[0]
        sample = f"{stem}-|{rest}"
        if len(left) < 3 or len(right) < 3:
            report.short_breaks.append((line.page, sample))
        if "-" in soft:
            report.hyphenated_word_breaks.append((line.page, sample))
        if following.page != line.page:
            report.page_splits.append((line.page, sample))


def emptiness(pages, report):
    """Pages whose body stops more than 45% short of the foot (or of the footnotes)."""
    for number, (height, lines) in enumerate(pages, start=1):
        if number in report.chapter_ends or number == 1:
            continue
        body = [line for line in lines if line.region == "body"]
        notes = [line for line in lines if line.region == "notes"]
        limit = min(line.top for line in notes) - 5 * MM if notes else height - BOTTOM_MARGIN
        bottom = max((line.bottom for line in body), default=TOP_MARGIN)
        fraction = max(0.0, limit - bottom) / (limit - TOP_MARGIN)
        if fraction > EMPTY_LIMIT:
            report.empty_pages.append((number, round(fraction, 2)))


def line_length(pages):
    """Characters (spaces included) of a full line of body text: the 90th percentile of body lines."""
    heights = Counter(round(line.height, 1) for _h, lines in pages for line in lines if line.region == "body")
    if not heights:
        return 0
    typical = heights.most_common(1)[0][0]
    lengths = sorted(
        len(" ".join(line.words))
        for _h, lines in pages
        for line in lines
        if line.region == "body" and round(line.height, 1) == typical
    )
    return lengths[int(len(lengths) * 0.9)] if lengths else 0


CALL_RE = re.compile(r"(?:^|[^*\s])(\*+)[)\].,;:]*$")  # "achtergrond.*", or a lone "*" after a space
MARK_RE = re.compile(r"^(\*+)$")


def footnotes(pages, report):
    """Match each call ("word*") with its note ("* text") per chapter and marker, in order."""
    starts = sorted(report.chapter_ends)
    calls, notes = defaultdict(list), defaultdict(list)
    for number, (_h, lines) in enumerate(pages, start=1):
        chapter = sum(1 for end in starts if end < number)
        for line in lines:
            if line.region == "notes" and line.words and re.match(r"(https?://|www\.)", line.words[0]):
                report.url_lines_in_notes += 1
            if line.region == "notes" and line.words and MARK_RE.match(line.words[0]):
                notes[(chapter, line.words[0])].append(number)
            elif line.region == "body":
                for word in line.words:
                    match = CALL_RE.search(word)
                    if match:
                        calls[(chapter, match.group(1))].append(number)
    for key in set(calls) | set(notes):
        placed = _aligned_on_page(calls[key], notes[key])
        report.footnotes += len(notes[key])
        report.footnotes_on_page += placed
        report.footnotes_unmatched += max(0, len(notes[key]) - len(calls[key]))
        if placed < len(notes[key]):
            report.footnotes_off_page.append((key[1], calls[key], notes[key]))


def _aligned_on_page(calls, notes):
    """How many notes can sit on the page of their call when calls and notes keep their order.

    Calls and notes of one marker in one chapter are two page lists in reading order; the k-th
    note belongs to one of the calls, and a later note to a later call (a longest common
    subsequence of the two lists).
    """
    rows = [[0] * (len(notes) + 1) for _ in range(len(calls) + 1)]
    for i, call in enumerate(calls, start=1):
        for j, note in enumerate(notes, start=1):
            best = max(rows[i - 1][j], rows[i][j - 1])
            if call == note:
                best = max(best, rows[i - 1][j - 1] + 1)
            rows[i][j] = best
    return rows[-1][-1]


# -- structure (pikepdf) ---------------------------------------------------------------


def _kids(element):
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def structure(pdf, report):
    """Walk the structure tree: headings, figures, tables; find marked content nobody reaches."""
    root = pdf.Root.StructTreeRoot
    reached = set()
    headings = []
    stack = list(reversed(_kids(root)))
    while stack:
        element = stack.pop()
        if not isinstance(element, pikepdf.Dictionary):
            continue
        if element.get("/Type") == "/OBJR" or "/S" not in element:
            continue
        reached.add(element.objgen)
        tag = str(element.S)
        if re.fullmatch(r"/H[1-6]", tag):
            headings.append(int(tag[2]))
        elif tag == "/Figure":
            report.figures += 1
            alt = str(element.get("/Alt", ""))
            if not alt.strip():
                report.figures_without_alt += 1
            elif not re.search(r"\d", alt):
                report.figures_alt_title_only += 1
        elif tag == "/Table":
            report.tables += 1
        elif tag == "/TH":
            report.header_cells += 1
        stack.extend(reversed(_kids(element)))
    previous = 0
    for level in headings:
        if level > previous + 1 and previous:
            report.heading_skips.append((f"H{previous}", f"H{level}"))
        previous = level

    nums = list(root.ParentTree.Nums)
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for page in pdf.pages:
        mapping = parents.get(int(page.obj.get("/StructParents", -1)))
        if not isinstance(mapping, pikepdf.Array):
            mapping = []
        content = b"".join(
            stream.read_bytes()
            for stream in (page.Contents if isinstance(page.Contents, pikepdf.Array) else [page.Contents])
        )
        missing = 0
        for mcid in re.findall(rb"/MCID (\d+)", content):
            mcid = int(mcid)
            element = mapping[mcid] if mcid < len(mapping) else None
            if not isinstance(element, pikepdf.Dictionary) or element.objgen not in reached:
                missing += 1
        report.untagged_running += missing
        report.untagged_pages += bool(missing)
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            if "/A" in annot and annot.A.get("/URI") is not None:
                report.links_uri += 1
            elif "/Dest" in annot:
                report.links_internal += 1
                if str(annot.get("/Contents", "")) == str(annot.Dest):
                    report.links_described_by_id += 1
    report.lang = str(pdf.Root.get("/Lang", ""))
    with pdf.open_metadata() as meta:
        report.title = meta.get("dc:title", "") or str(pdf.docinfo.get("/Title", ""))


def chapter_ends(pdf):
    """Last pages of each part opened by a level-2 bookmark (chapters, front and back matter) and the last page."""
    pages = {page.objgen: i for i, page in enumerate(pdf.pages, start=1)}
    starts = set()
    with pdf.open_outline() as outline:
        for top in outline.root:
            for item in top.children:
                dest = item.destination
                if dest is None and item.action is not None:
                    dest = item.action.get("/D")
                if isinstance(dest, pikepdf.Array) and len(dest):
                    page = pages.get(dest[0].objgen)
                elif dest is not None:
                    page = _named_page(pdf, dest, pages)
                else:
                    page = None
                if page:
                    starts.add(page)
    ends = {start - 1 for start in starts if start > 1}
    ends.add(len(pdf.pages))
    return ends


def _named_page(pdf, name, pages):
    names = pdf.Root.get("/Names")
    tree = names.get("/Dests") if names is not None else None
    if tree is None:
        return None
    target = pikepdf.NameTree(tree).get(str(name))
    if isinstance(target, pikepdf.Dictionary):
        target = target.D
    return pages.get(target[0].objgen) if target is not None else None


def distinct_uris(pdf):
    uris = set()
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if "/A" in annot and annot.A.get("/URI") is not None:
                uris.add(str(annot.A.URI))
    return uris


# -- contrast (WeasyPrint's own layout of the HTML) -----------------------------------


def _luminance(rgb):
    def channel(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground, background):
    """WCAG 2 contrast of two (r, g, b) colours with channels from 0 to 1."""
    a, b = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _over(colour, background):
    r, g, b, alpha = colour
    return tuple(alpha * c + (1 - alpha) * bc for c, bc in zip((r, g, b), background, strict=True))


def contrast(document, report):
    """Every text box of a rendered WeasyPrint document against the background it is drawn on."""
    from weasyprint.formatting_structure import boxes

    worst = None
    failures = {}

    def visit(box, background):
        colour = box.style["background_color"]
        if colour.alpha > 0:
            background = _over(tuple(colour), background)
        if isinstance(box, boxes.TextBox) and box.text.strip():
            fg = box.style["color"]
            if fg.alpha < 0.5:  # a watermark (the CONCEPT mark), not text to read
                return
            ratio = contrast_ratio(_over(tuple(fg), background), background)
            size, weight = box.style["font_size"], box.style["font_weight"]
            large = size >= 24 or (size >= 18.66 and weight >= 700)
            nonlocal worst
            worst = ratio if worst is None else min(worst, ratio)
            if ratio < (3.0 if large else 4.5):
                key = (_hex(fg), _hex(background))
                failures.setdefault(key, (round(ratio, 2), key[0], key[1], box.text.strip()[:30]))
        for child in getattr(box, "children", ()):
            visit(child, background)

    for page in document.pages:
        page_box = page._page_box
        visit(page_box, (1.0, 1.0, 1.0))
    report.contrast_min = round(worst, 2) if worst is not None else None
    report.contrast_failures = sorted(failures.values())


CHART_LABEL_MIN_PT = 6.5


def chart_labels(document, report):
    """The smallest text of every chart as printed: its SVG font size scaled by printed width / viewBox width."""
    smallest = None

    def visit(box):
        nonlocal smallest
        element = getattr(box, "element", None)
        if str(getattr(box, "element_tag", "")).endswith("svg") and element is not None and box.width:
            view_box = (element.get("viewBox") or "").split()
            sizes = [float(node.get("font-size")) for node in element.iter() if node.get("font-size")]
            if len(view_box) == 4 and sizes:
                report.charts += 1
                printed = round(min(sizes) * box.width / float(view_box[2]) * 0.75, 2)  # CSS px -> pt
                smallest = printed if smallest is None else min(smallest, printed)
                if printed < CHART_LABEL_MIN_PT:
                    report.small_chart_labels.append((element.get("aria-labelledby", "").split(" ")[0], printed))
            return
        for child in getattr(box, "children", ()):
            visit(child)

    for page in document.pages:
        visit(page._page_box)
    report.chart_label_min_pt = smallest


def _hex(colour):
    return "#" + "".join(f"{round(c * 255):02x}" for c in tuple(colour)[:3])


# -- all together ----------------------------------------------------------------------


def measure(pdf_path, html_text=None, document=None):
    """A Report for the PDF at ``pdf_path`` (HTML for the hyphenation verdicts, a rendered document for contrast)."""
    report = Report()
    with pikepdf.open(pdf_path) as pdf:
        report.pages = len(pdf.pages)
        report.chapter_ends = chapter_ends(pdf)
        structure(pdf, report)
        report.distinct_uris = len(distinct_uris(pdf))
    pages = read_lines(pdf_path)
    emptiness(pages, report)
    footnotes(pages, report)
    report.line_length = line_length(pages)
    if html_text is not None:
        hyphenation(pages, html_text, report)
    text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, check=True).stdout.decode()
    report.spaced_headings = sorted(set(SPACED_RE.findall(text)))
    if document is not None:
        contrast(document, report)
        chart_labels(document, report)
    return report


def lines(report):
    """The figures as printable lines."""
    out = [
        f"pages                                   {report.pages}  (goal <= 100)",
        f"pages > 45% empty (outside chapter ends) {len(report.empty_pages)}  {report.empty_pages[:12]}",
        f"characters in a full body line          {report.line_length}  (goal about 80)",
        f"footnotes on the page of their call     {report.footnotes_on_page}/{report.footnotes} "
        f"= {report.footnote_share:.0%}  (goal >= 98%; {report.footnotes_unmatched} unmatched)",
        f"raw URL lines at the foot of pages      {report.url_lines_in_notes}",
        f"hyphenation breaks < 3 letters          {len(report.short_breaks)}  {report.short_breaks[:6]}",
        f"breaks inside hyphenated words          {len(report.hyphenated_word_breaks)}  "
        f"{report.hyphenated_word_breaks[:4]}",
        f"words split across pages                {len(report.page_splits)}  {report.page_splits[:4]}",
        f"heading-order violations                {len(report.heading_skips)}  {Counter(report.heading_skips)}",
        f"untagged running content                {report.untagged_running} marked-content runs "
        f"on {report.untagged_pages} pages",
        f"figures without Alt / Alt without numbers {report.figures_without_alt} / {report.figures_alt_title_only} "
        f"(of {report.figures})",
        f"tables / header cells                   {report.tables} / {report.header_cells}",
        f"language / title                        {report.lang!r} / {report.title!r}",
        f"links: URI {report.links_uri} ({report.distinct_uris} distinct), internal {report.links_internal}, "
        f"described only by an element id {report.links_described_by_id}",
        f"headings extracted letter by letter     {len(report.spaced_headings)}  {report.spaced_headings[:3]}",
    ]
    if report.chart_label_min_pt is not None:
        out.append(
            f"smallest chart text as printed          {report.chart_label_min_pt} pt in {report.charts} charts "
            f"(goal >= {CHART_LABEL_MIN_PT}; {len(report.small_chart_labels)} below)"
        )
    if report.contrast_min is not None:
        out.append(
            f"text contrast: lowest {report.contrast_min}:1, pairs below 4.5:1 (3:1 large) "
            f"{len(report.contrast_failures)}  {report.contrast_failures[:4]}"
        )
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf")
    parser.add_argument("--html", help="the HTML of build_pdf --html (hyphenation verdicts, contrast)")
    args = parser.parse_args(argv)
    html_text = document = None
    if args.html:
        with open(args.html, encoding="utf-8") as handle:
            html_text = handle.read()
        from weasyprint import HTML

        document = HTML(string=html_text, base_url=args.html).render()
    for line in lines(measure(args.pdf, html_text, document)):
        print(line)


if __name__ == "__main__":
    sys.exit(main())
