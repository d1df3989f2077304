import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date
from tqdm import tqdm

from articles.models import Article
from articles.services.suggesting import refresh_suggestions


class Command(BaseCommand):
    help = (
        "Recompute region suggestions for the whole archive or a selection, with the current "
        "gazetteer. Open suggestions are refreshed or withdrawn; accepted and rejected ones are "
        "never touched, so a rejected suggestion does not come back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ids", nargs="+", type=int, metavar="ID", help="Only these articles.")
        parser.add_argument("--since", metavar="YYYY-MM-DD", help="Only articles imported since.")
        parser.add_argument("--search", metavar="QUERY", help="Only articles matching a search.")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, ids, since, search, batch_size, verbosity, **options):
        articles = Article.objects.active()
        if ids:
            articles = articles.filter(pk__in=ids)
        if since:
            try:
                day = parse_date(since)
            except ValueError:
                day = None
            if day is None:
                raise CommandError(f"--since takes a date as YYYY-MM-DD, not {since!r}.")
            articles = articles.filter(created_at__date__gte=day)
        if search:
            articles = articles.search(search)
        total = articles.count()
        with tqdm(
            total=total, unit="article", disable=verbosity == 0 or not sys.stderr.isatty()
        ) as bar:
            counts = refresh_suggestions(
                articles=articles, batch_size=batch_size, on_progress=bar.update
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{total} articles: {counts['created']} suggestions created, "
                f"{counts['updated']} refreshed, {counts['withdrawn']} withdrawn."
            )
        )
