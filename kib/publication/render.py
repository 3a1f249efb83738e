"""Run WeasyPrint in a child process with a wall-clock limit, and finish its tagged PDF.

The child gets the finished HTML string and writes the PDF to a path; the database is
never touched there. A build that runs over its time is killed, so a hostile or broken
document cannot hold a worker forever, and whatever it left half-written is removed.

``finish_tags`` completes what WeasyPrint 70 leaves open in a PDF/UA file, on its PDF objects
just before they are written (WeasyPrint's ``finisher`` hook, so nothing is parsed twice):

- the page-margin content (running header with the navigation bar, footer, page number) is
  drawn as marked content that no structure element reaches; it becomes ``/Artifact``;
- the navigation bar's links stay clickable: their annotations keep a ``Link`` element (in one
  ``Div`` at the end of the document), without the artifact text;
- an internal link is described by the ``title`` of its ``<a>`` ("Hoofdstuk 3: Geweld tegen
  kinderen") instead of the element id WeasyPrint puts in ``/Contents``.

tests/test_pdf_quality.py checks the result with pikepdf over the structure tree.
"""

import html as html_module
import logging
import multiprocessing
import os
import re
import time
from dataclasses import dataclass

from kib.publication import typesetting

PDF_VARIANT = "pdf/ua-1"


class PdfRenderError(Exception):
    """WeasyPrint failed, or the build ran over its time."""


class PdfTimeout(PdfRenderError):
    pass


@dataclass
class RenderResult:
    page_count: int
    seconds: float
    refused_urls: list


_LINK_TITLE = re.compile(r"<a\s[^>]*?href=\"#([^\"]+)\"[^>]*?\stitle=\"([^\"]+)\"")


def link_titles(html):
    """``{anchor: description}`` from the ``title`` of internal links (``<a href="#x" title="…">``)."""
    return {anchor: html_module.unescape(title) for anchor, title in _LINK_TITLE.findall(html)}


def render_document(html, base_url, fetcher):
    """The laid-out WeasyPrint document of ``html``."""
    from weasyprint import HTML

    typesetting.apply()
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(pdf_variant=PDF_VARIANT)


def write_document(document, path, html):
    """Write the PDF/UA-1 file, its tags finished by ``finish_tags``."""
    titles = link_titles(html)
    document.write_pdf(path, pdf_variant=PDF_VARIANT, finisher=lambda doc, pdf: finish_tags(pdf, titles))


def _number(reference):
    return int(bytes(reference).split()[0]) if isinstance(reference, (bytes, bytearray)) else None


def finish_tags(pdf, titles):
    """Margin content as artifacts, navigation links kept in the tree, links described (see the module)."""
    import pydyf

    objects = pdf.objects
    root = objects[_number(pdf.catalog["StructTreeRoot"])]
    document = objects[_number(root["K"][0])]
    reached = set()
    stack = [document]
    while stack:
        element = stack.pop()
        for kid in element.get("K", ()):
            number = _number(kid)
            if number is not None and number not in reached:
                child = objects[number]
                if isinstance(child, dict) and child.get("Type") == "/StructElem":
                    reached.add(number)
                    stack.append(child)
    nums = objects[_number(root["ParentTree"])]["Nums"]
    pages = [objects[number] for number in pdf.pages["Kids"][::3]]  # pydyf keeps "n 0 R" flat
    navigation = []
    for i in range(0, len(nums), 2):
        key, value = nums[i], nums[i + 1]
        if isinstance(value, (bytes, bytearray)):  # an annotation's element
            number = _number(value)
            if number not in reached:
                element = objects[number]
                element["K"] = pydyf.Array([kid for kid in element["K"] if not isinstance(kid, int)])
                navigation.append(element)
            continue
        hidden = {mcid for mcid, ref in enumerate(value) if _number(ref) not in reached}
        if hidden and key < len(pages):
            _artifacts(objects[_number(pages[key]["Contents"])], hidden)
    if navigation:
        div = pydyf.Dictionary(
            {
                "Type": "/StructElem",
                "S": "/Div",
                "T": pydyf.String("Navigatie"),
                "K": pydyf.Array(),
                "P": document.reference,
            }
        )
        pdf.add_object(div)
        for element in navigation:
            element["P"] = div.reference
            div["K"].append(element.reference)
        document["K"].append(div.reference)
    for page in pages:
        for annot_ref in page.get("Annots", ()):
            annot = objects[_number(annot_ref)]
            dest = annot.get("Dest")
            if dest is not None:
                anchor = getattr(dest, "string", dest)
                if anchor in titles:
                    annot["Contents"] = pydyf.String(titles[anchor])


def _artifacts(stream, hidden):
    """Turn the marked-content sequences with these MCIDs into artifacts, in place."""
    ops = stream.stream
    out = []
    for op in ops:
        if op == b"BDC" and len(out) >= 2 and isinstance(out[-1], dict) and out[-1].get("MCID") in hidden:
            out.pop()  # the property list
            out[-1] = "/Artifact"
            out.append(b"BMC")
        else:
            out.append(op)
    stream.stream = out


def _child(conn, html, base_url, path, roots):
    try:
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
        logging.getLogger("fontTools").setLevel(logging.WARNING)
        from kib.publication.fetcher import SafeURLFetcher

        fetcher = SafeURLFetcher(roots=roots)
        document = render_document(html, base_url, fetcher)
        write_document(document, path, html)
        conn.send(("ok", len(document.pages), fetcher.refused))
    except BaseException as exc:  # report every failure to the parent, then exit
        conn.send(("error", f"{type(exc).__name__}: {exc}", []))
    finally:
        conn.close()


def _context():
    # fork: the child starts at once with WeasyPrint already imported; it only renders.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def render_pdf(html, path, *, base_url, roots, timeout):
    """Write ``html`` as a PDF/UA-1 file at ``path``; returns a RenderResult or raises PdfRenderError."""
    ctx = _context()
    parent_conn, child_conn = ctx.Pipe(duplex=False)
    started = time.monotonic()
    process = ctx.Process(target=_child, args=(child_conn, html, base_url, str(path), [str(r) for r in roots]))
    process.start()
    child_conn.close()
    try:
        if not parent_conn.poll(timeout):
            process.kill()
            raise PdfTimeout(f"De pdf was na {timeout} seconden nog niet klaar; de bouw is afgebroken.")
        try:
            status, value, refused = parent_conn.recv()
        except EOFError:
            raise PdfRenderError("Het bouwproces stopte onverwacht.") from None
    except PdfRenderError:
        _remove(path)
        raise
    finally:
        if process.is_alive():
            process.join(5)
        if process.is_alive():
            process.kill()
            process.join()
        parent_conn.close()
    if status != "ok":
        _remove(path)
        raise PdfRenderError(value)
    return RenderResult(page_count=value, seconds=time.monotonic() - started, refused_urls=refused)


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
