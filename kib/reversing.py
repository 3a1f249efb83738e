"""``reverse`` worked out once per process for each address of a public page.

A public page links to many others of the same few kinds (the chapter page to every chapter of its
edition and its theme in every edition, the tracker to fifty recommendations), and ``reverse`` costs
about as much as printing the link several times over. The address depends only on the view, its
arguments, the URL configuration (a request's own, else ``ROOT_URLCONF``) and the script prefix (the
public URLs are not translated): all of them are the key.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def reverse_once(viewname, *args):
    """``reverse(viewname, args=args)``, remembered per process (``args``: hashable, as in the URL)."""
    return _reversed(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), viewname, args)


@functools.lru_cache(maxsize=16384)
def _reversed(urlconf, prefix, viewname, args):
    return reverse(viewname, args=args, urlconf=urlconf)
