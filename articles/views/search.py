from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from articles.models import Article, ImportRun


@login_required
def home(request):
    articles = Article.objects.active().newest_first()[:50]
    return render(request, "articles/home.html", {"articles": articles})


@login_required
def article_detail(request, pk: int):
    article = get_object_or_404(Article, pk=pk)
    return render(request, "articles/detail.html", {"article": article})


@login_required
def import_list(request):
    return render(request, "articles/imports.html", {"runs": ImportRun.objects.all()[:100]})


@login_required
def import_detail(request, pk: int):
    run = get_object_or_404(ImportRun, pk=pk)
    return render(request, "articles/import_detail.html", {"run": run})
