"""Public pages. Every query starts from a ``published()`` QuerySet."""

from django.shortcuts import get_object_or_404, render

from kib.models import Edition
from themes.models import Chapter


def home(request):
    editions = Edition.objects.published().order_by("-year")
    return render(request, "public/home.html", {"editions": editions, "latest": editions.first()})


def edition_detail(request, year):
    edition = get_object_or_404(Edition.objects.published(), year=year)
    chapters = edition.chapters.published().select_related("theme").order_by("theme__number")
    return render(request, "public/edition.html", {"edition": edition, "chapters": chapters})


def chapter_detail(request, year, theme_slug):
    chapter = get_object_or_404(
        Chapter.objects.published().select_related("edition", "theme"), edition__year=year, theme__slug=theme_slug
    )
    return render(request, "public/chapter.html", {"chapter": chapter, "edition": chapter.edition})
