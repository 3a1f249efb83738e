"""Run WeasyPrint in a child process with a wall-clock limit.

The child gets the finished HTML string and writes the PDF to a path; the database is
never touched there. A build that runs over its time is killed, so a hostile or broken
document cannot hold a worker forever, and whatever it left half-written is removed.
"""

import logging
import multiprocessing
import os
import time
from dataclasses import dataclass

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


def _child(conn, html, base_url, path, roots):
    try:
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
        logging.getLogger("fontTools").setLevel(logging.WARNING)
        from weasyprint import HTML

        from kib.publication.fetcher import SafeURLFetcher

        fetcher = SafeURLFetcher(roots=roots)
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(pdf_variant=PDF_VARIANT)
        document.write_pdf(path, pdf_variant=PDF_VARIANT)
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
