"""A portable archive of one edition, for ``manage.py export_edition`` and ``import_edition``.

The archive is a zip file::

    manifest.json   what it holds: format and version, the edition, the applied migrations,
                    rows per model, every stored file with its SHA-256, a content fingerprint
    data.json       the rows, as Django's serializer writes them, in an order that can be loaded
    media/NAME      the stored files (the published PDFs), under their storage names

What goes in is found, not listed, so models added later come along by themselves:

1. the edition and everything that would be deleted with it, found by Django's own deletion
   collector (``NestedObjects``): chapters and all their parts, data gaps, figure charts and
   series and the snapshot of the cells they drew at publication, review comments, corrections,
   the published PDFs;
2. rows that point at those with a generic foreign key (the workflow's audit entries);
3. every row these refer to (themes, recommendations, concluding observations, organisations,
   sources, indicators), with the rows that make up a referred indicator (its observations)
   or a set of concluding observations (all its recommendations), see ``REFERENCED_WITH_CHILDREN``.

Links to user accounts are stored as user names and links to content types as their natural
key; an import keeps a link to an account only when that account exists. A link to another
edition's content (a data gap first noted in an earlier edition) is kept when that row can be
named by a unique field (an edition by its year) and exists at import; otherwise it is left
empty. PDF build jobs and the history of changes are not archived.

An import adds the edition to the database in one transaction: rows of the edition get new
ids; themes, organisations, sources, recommendations, indicators and observations that already
exist (same unique key) are used as they are and never changed. It refuses, changing nothing,
when the edition's year exists, when the archive is damaged, or when it was made by a newer KIB.

The code: ``common`` (format, model helpers, fingerprint), ``writing`` (``export_edition``,
``edition_fingerprint``, ``describe``) and ``reading`` (``read_archive``, ``import_edition``).
"""
