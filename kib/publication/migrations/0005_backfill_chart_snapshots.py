"""Take the snapshot of the charts of editions published before snapshots existed (publication 0004).

It reads the published numbers as they are now: for an edition published before a later one made more
numbers public, those show in its snapshot too (as they did on its pages until now). Uses the
current code only when there is something to do, which on a new database there never is.
"""

from django.db import migrations


def backfill(apps, schema_editor):
    Edition = apps.get_model("kib", "Edition")
    if not Edition.objects.filter(state="published").exists():
        return
    from indicators.chart_data import take_missing_snapshots

    take_missing_snapshots()


class Migration(migrations.Migration):
    dependencies = [
        ("publication", "0004_chart_snapshot"),
        ("indicators", "0008_import_log_plural_imports"),
        ("kib", "0003_edition_state_not_editable"),
        ("themes", "0007_search_gin_indexes"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
