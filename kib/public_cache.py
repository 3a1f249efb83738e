"""A cache for rendered public pages.

Published content changes rarely (a publication, a correction), while every page of the
report takes a dozen queries to assemble. Public views therefore keep their rendered HTML
under a *content version*: any committed change to a model of the content apps (kib, themes,
recommendations, indicators, publication) replaces the version, so every page is rebuilt
from the ``published()`` QuerySets on its next request. Only what those QuerySets returned is
ever rendered, so the cache cannot hold a draft.

- The version lives in the ``public-version`` cache, a directory shared by all server
  processes. Each process re-reads it at most once per ``VERSION_MEMO_SECONDS``: a change made
  in another process shows within that second; one made in this process shows at once.
- Rendered pages live in the ``public`` cache, in each process's memory, for at most
  ``KIB_PUBLIC_CACHE_SECONDS`` (a safety net for bulk updates that send no signals).
- The one per-visitor part of a page, the language switch with its link back to the page, is made
  on every request and put in place of ``LANGUAGE_SWITCH_SLOT``.

Under tests both caches are dummies unless a test switches them on.
"""

import functools
import hashlib
import html
import time
import uuid
from urllib.parse import quote_plus

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import get_language, get_language_info

PAGES = "public"
VERSIONS = "public-version"
VERSION_KEY = "kib:public:version"
MEMO_KEY = "kib:public:version-memo"
VERSION_MEMO_SECONDS = 1
CONTENT_APPS = {"kib", "themes", "recommendations", "indicators", "publication"}
LANGUAGE_SWITCH_SLOT = "<!--kib:language-switch-->"


def content_version():
    version = caches[PAGES].get(MEMO_KEY)
    if version is None:
        shared = caches[VERSIONS]
        version = shared.get(VERSION_KEY)
        if version is None:
            shared.add(VERSION_KEY, uuid.uuid4().hex, None)
            version = shared.get(VERSION_KEY) or "none"
        caches[PAGES].set(MEMO_KEY, version, VERSION_MEMO_SECONDS)
    return version


def _new_version():
    version = uuid.uuid4().hex
    caches[VERSIONS].set(VERSION_KEY, version, None)
    caches[PAGES].set(MEMO_KEY, version, VERSION_MEMO_SECONDS)


def content_changed(sender, **kwargs):
    """Signal receiver: a content model changed; start a new version once the transaction commits."""
    if sender._meta.app_label not in CONTENT_APPS:
        return
    connection = connections[kwargs.get("using") or DEFAULT_DB_ALIAS]
    # One callback per transaction is enough, also for an import of thousands of rows.
    if connection.in_atomic_block and any(entry[1] is _new_version for entry in connection.run_on_commit):
        return
    transaction.on_commit(_new_version, using=connection.alias)


def connect_signals():
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(content_changed, dispatch_uid=f"kib-public-cache-{signal!r}")


def cached(key_parts, build):
    """What ``build()`` returns, from the cache when the content has not changed since."""
    raw = repr((content_version(), get_language(), *key_parts)).encode()
    key = "kib:public:page:" + hashlib.sha256(raw).hexdigest()
    pages = caches[PAGES]
    value = pages.get(key)
    if value is None:
        value = build()
        pages.set(key, value, settings.KIB_PUBLIC_CACHE_SECONDS)
    return value


_kept = {}  # (content version, language, *key parts) -> (value, valid until), in this process
KEPT_ENTRIES = 256


def kept(key_parts, build):
    """What ``cached(key_parts, build)`` returns, also kept in this process's memory under the same content version.

    The page cache pickles what it holds, so every read unpickles it again; a value read on every
    request (the search page's frame, a download's stored file) is kept here as the object itself,
    for at most ``KIB_PUBLIC_CACHE_SECONDS`` and only while the content version is the same. With no
    shared version (the dummy caches of the tests) nothing is kept. The caller must not change it.
    """
    version = content_version()
    key = (version, get_language(), *key_parts)
    now = time.monotonic()
    known = _kept.get(key)
    if known is not None and known[1] > now:
        return known[0]
    value = cached(key_parts, build)
    if version != "none":
        if len(_kept) >= KEPT_ENTRIES:
            _kept.clear()
        _kept[key] = (value, now + settings.KIB_PUBLIC_CACHE_SECONDS)
    return value


def language_switch(request):
    """The language switch: a link per other language to ``public:switch_language``, back to this page.

    Plain links, no form: a public page needs no CSRF token, so it sets no cookie and its only
    per-visitor part is the address it links back to.
    """
    back = html.escape("next=" + quote_plus(request.get_full_path()))  # what urlencode({"next": …}) writes
    links = "".join(before + back + after for before, after in _switch_links(get_language()))
    return f'<p class="language">{links}</p>'


@functools.cache
def _switch_links(current):
    """The language switch's links from ``current``: (up to the address back, after it) per other language."""
    return [
        (
            f'<a href="{reverse("public:switch_language", args=[code])}?',
            f'" hreflang="{code}" lang="{code}">{html.escape(get_language_info(code)["name_local"])}</a>',
        )
        for code, _name in settings.LANGUAGES
        if code != current
    ]


def page_response(request, key_parts, build):
    """Respond with a cached page (``build()`` renders it), the language switch made for this visitor."""
    html = cached(key_parts, build)
    if LANGUAGE_SWITCH_SLOT in html:
        html = html.replace(LANGUAGE_SWITCH_SLOT, language_switch(request), 1)
    return HttpResponse(html)
