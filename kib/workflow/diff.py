"""A readable field-by-field comparison of two historical records (django-simple-history)."""

import datetime
import difflib
import html
import re

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

_TOKENS = re.compile(r"\s+|[^\s]+")


# Rich text keeps its paragraphs: a block's end becomes a blank line, a line break a newline.
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|ul|ol|blockquote)>\s*", re.IGNORECASE)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def plain_text(field, value):
    """A stored value as text a reader compares: related rows by name, choices by label, rich
    text without its tags but with its paragraphs (blank lines) and line breaks."""
    if value in (None, ""):
        return ""
    if field.many_to_many:  # a list of through-rows
        ids = [row[field.m2m_reverse_field_name()] for row in value]
        return ", ".join(sorted(str(obj) for obj in field.related_model._default_manager.filter(pk__in=ids)))
    if field.is_relation and field.many_to_one:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):  # the Dutch way: "3 december 2026 14:05"
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "j F Y H:i")
    if isinstance(value, datetime.date):  # "1 januari 2027", not "2027-01-01"
        return date_format(value, "j F Y")
    if isinstance(value, bool):
        return "ja" if value else "nee"
    text = _LINE_BREAK.sub("\n", _BLOCK_END.sub("\n\n", str(value)))
    text = html.unescape(strip_tags(text)).replace("\xa0", " ")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def word_diff(old, new):
    """HTML with removed words in <del> and added words in <ins>, escaped; newlines as <br>."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
    return mark_safe("".join(out).replace("\n", "<br>"))


def compare_records(old, new):
    """Every field that differs between two records of one object, oldest first."""
    model = new.instance_type
    rows = []
    for change in new.diff_against(old).changes:
        field = model._meta.get_field(change.field)
        before, after = plain_text(field, change.old), plain_text(field, change.new)
        rows.append({"field": field.verbose_name, "old": before, "new": after, "diff": word_diff(before, after)})
    return rows
