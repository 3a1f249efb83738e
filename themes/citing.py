"""Cite a source where you write: a web address pasted in a part becomes a citation of that part.

An editor pastes addresses in the part's own form (``themes.forms.CitingPartForm``), one per
line, optionally followed by `` | publisher | title``. ``cite`` finds the source with the same
*normalised* address (``normalise_url``: scheme and host in lower case, no default port, no
trailing slash, no ``utm_*`` tracking parameters, no fragment) or creates it, and attaches a
``Citation`` to the part in its own chapter: no separate screen, no chapter to choose. A source
cited twice from one part stays one citation.

A source that a published edition cites is frozen (``kib.freeze``): it is reused as it is; only
a source nobody published yet gets a missing publisher or title filled in. ``footnote`` adds a
footnote to the part with an automatic marker: the layout numbers those in print order
(``themes.layout``).
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kib import freeze
from kib.models import Source
from kib.workflow import scoping
from themes.models import Citation, Footnote

DEFAULT_PORTS = {"http": "80", "https": "443"}
_validate = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class Reference:
    """One pasted line: the address, and optionally its publisher and title."""

    url: str
    publisher: str = ""
    title: str = ""


def normalise_url(url):
    """``url`` in the one form a source is stored under; ``ValidationError`` for anything but http(s)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.netloc:
        raise ValidationError(
            _("“%(url)s” is geen webadres: plak een adres dat begint met http:// of https://.") % {"url": url[:200]},
            code="scheme",
        )
    host = parts.netloc.lower()
    if host.endswith(":" + DEFAULT_PORTS[scheme]):
        host = host.rsplit(":", 1)[0]
    query = "&".join(
        pair for pair in parts.query.split("&") if pair and not pair.split("=", 1)[0].lower().startswith("utm_")
    )
    normalised = urlunsplit((scheme, host, parts.path.rstrip("/"), query, ""))
    try:
        _validate(normalised)
    except ValidationError:
        raise ValidationError(
            _("“%(url)s” is geen geldig webadres.") % {"url": url[:200]}, code="invalid"
        ) from None
    if len(normalised) > Source._meta.get_field("url").max_length:
        raise ValidationError(_("Dit webadres is te lang (meer dan 1000 tekens)."), code="max_length")
    return normalised


def parse_references(text):
    """The pasted lines as ``Reference``s, once each; ``ValidationError`` naming every bad line."""
    references, errors, seen = [], [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        url, *rest = [piece.strip() for piece in line.split("|")]
        publisher, title = (rest + ["", ""])[:2]
        try:
            url = normalise_url(url)
        except ValidationError as error:
            errors.append(_("Regel %(number)s: %(message)s") % {"number": number, "message": " ".join(error.messages)})
            continue
        if url not in seen:
            seen.add(url)
            references.append(Reference(url, publisher[:200], title[:500]))
    if errors:
        raise ValidationError(errors)
    return references


def find_source(url):
    """The source stored under ``url`` (normalised), also when it was stored before normalising."""
    source = Source.objects.filter(url=url).first()
    if source is not None:
        return source
    host = urlsplit(url).hostname or ""
    for candidate in Source.objects.filter(url__icontains=host).only("pk", "url"):
        try:
            if normalise_url(candidate.url) == url:
                return Source.objects.get(pk=candidate.pk)
        except ValidationError:
            continue
    return None


def _fill_in(source, publisher, title):
    """Give a source without publisher or title the ones pasted, unless a published edition shows it."""
    changed = False
    if publisher and not source.publisher:
        source.publisher, changed = publisher, True
    if title and not source.title:
        source.title, changed = title, True
    if changed and not freeze.refusal(source):
        source.save(update_fields=["publisher", "title"])


def _check(part, by):
    chapter = part.owning_chapter
    if by is not None and not scoping.can_edit_chapter(by, chapter):
        raise PermissionDenied(_("U mag dit hoofdstuk nu niet wijzigen."))
    return chapter


def _target(part):
    return {"content_type": ContentType.objects.get_for_model(part), "object_id": part.pk}


def cite(part, url, publisher="", title="", by=None):
    """Cite the source at ``url`` from ``part`` (saved); returns ``(citation, created)``."""
    chapter = _check(part, by)
    url = normalise_url(url)
    with transaction.atomic():
        source = find_source(url)
        if source is None:
            source = Source.objects.create(url=url, publisher=publisher, title=title)
        else:
            _fill_in(source, publisher, title)
        target = _target(part)
        existing = Citation.objects.filter(source=source, chapter=chapter, **target).first()
        if existing is not None:
            return existing, False
        last = Citation.objects.filter(chapter=chapter, **target).aggregate(last=Max("position"))["last"] or 0
        return Citation.objects.create(source=source, chapter=chapter, position=last + 1, **target), True


def uncite(part, citation_ids, by=None):
    """Remove these citations of ``part`` (others' ids are ignored); the sources stay."""
    _check(part, by)
    return Citation.objects.filter(pk__in=citation_ids, **_target(part)).delete()[0]


def footnote(part, text, by=None):
    """A footnote to ``part`` with an automatic marker (numbered in print order by the layout)."""
    chapter = _check(part, by)
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        return None
    last = Footnote.objects.filter(chapter=chapter).aggregate(last=Max("position"))["last"] or 0
    return Footnote.objects.create(chapter=chapter, marker="", text=text, position=last + 1, **_target(part))
