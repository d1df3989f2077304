"""Import history: every run, its files, and the blocks it rejected with their raw text."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import get_object_or_404, render

from articles.models import ImportRun, Occurrence


def import_list(request):
    paginator = Paginator(ImportRun.objects.select_related("publisher", "started_by"), 50)
    notices = []
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (PageNotAnInteger, EmptyPage):
        page = paginator.page(1)
        notices.append("That page does not exist; showing the first page.")
    return render(request, "articles/imports.html", {"page": page, "notices": notices})


def import_detail(request, pk: int):
    run = get_object_or_404(ImportRun.objects.select_related("publisher", "started_by"), pk=pk)
    rejected = Occurrence.objects.rejected().filter(file__run=run).select_related("file")
    return render(
        request,
        "articles/import_detail.html",
        {"run": run, "files": run.files.all(), "rejected": rejected},
    )
