"""Background jobs of the publication app (django-tasks; ``manage.py db_worker`` runs them)."""

from django_tasks import task


@task()
def build_pdf(build_id):
    """Build the PDF of one PdfBuild row; its status and error are on the row (admin: PDF-bouwen)."""
    from kib.publication.models import PdfBuild
    from kib.publication.services import run_build

    build = PdfBuild.objects.filter(pk=build_id).first()
    if build is None or build.status not in (PdfBuild.Status.QUEUED, PdfBuild.Status.RUNNING):
        return None
    return run_build(build).status
