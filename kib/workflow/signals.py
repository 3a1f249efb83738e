"""Signals other parts of KIB listen to.

``edition_published(edition, by)`` is sent inside the publishing transaction: the
publication app hands the edition to the PDF build there (a receiver that raises undoes
the publication). ``correction_closed(edition, correction, by)`` is sent when a
correction ends, for a new PDF version. ``chapter_copied(source, copy, mapping)`` is sent
by ``start_next_edition`` for each chapter, with ``mapping`` from (model, old pk) to the
copied object, for apps whose data hangs off a chapter or its figures.
"""

from django.dispatch import Signal

edition_published = Signal()
correction_closed = Signal()
chapter_copied = Signal()
