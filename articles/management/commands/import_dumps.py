import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from articles.services.importing import expand_paths, import_dump_files


class Command(BaseCommand):
    help = (
        "Import text dumps of articles. PATH may be a file, a directory (its *.txt files, "
        "recursively) or a glob. Each file is imported atomically; a file already imported is "
        "recognized by its checksum and skipped; an article already stored gets a new occurrence. "
        "Exit status: 0 when everything was imported, 1 when a block was rejected or a file or "
        "path could not be read (the rest is imported all the same)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--publisher",
            default=settings.NEWSROOM_DEFAULT_PUBLISHER,
            help='The outlet whose site the dumps came from (default: "%(default)s").',
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read, parse and report everything, then roll back: nothing is written.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Blocks written per database round trip (default: %(default)s).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=(
                "Processes that parse and analyse blocks while this one writes them; 0 does "
                "everything in this process (default: 2 when the files hold 4 MB or more and "
                "there are two CPUs or more, else 0)."
            ),
        )

    def handle(self, *args, paths, publisher, dry_run, batch_size, workers, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if workers is not None and workers < 0:
            raise CommandError("--workers must be 0 or more.")
        files, missing = expand_paths(paths)
        for argument in missing:
            self.stderr.write(self.style.ERROR(f"{argument}: no such file, directory or match"))
        total = sum(path.stat().st_size for path in files)
        show_progress = verbosity > 0 and sys.stderr.isatty()
        with tqdm(
            total=total, unit="B", unit_scale=True, disable=not show_progress, file=sys.stderr
        ) as bar:
            report = import_dump_files(
                paths=files,
                publisher=publisher,
                dry_run=dry_run,
                batch_size=batch_size,
                workers=workers,
                on_progress=bar.update,
            )
        report.missing_paths = missing
        self._summarize(report, verbosity)
        if not report.succeeded:
            raise CommandError("Some input was not imported; see above.", returncode=1)

    def _summarize(self, report, verbosity: int) -> None:
        out = self.stdout
        heading = "Dry run: nothing was written." if report.dry_run else f"Import #{report.run_id}"
        out.write(self.style.MIGRATE_HEADING(heading))
        if verbosity > 1 or report.unreadable_files or any(f.message for f in report.files):
            for file in report.files:
                line = f"  {file.path}: {file.status}"
                if file.message:
                    line += f" ({file.message})"
                style = self.style.ERROR if file.status == "unreadable" else self.style.NOTICE
                out.write(style(line) if file.message else line)
        out.write(f"  files read:                  {report.files_read}")
        out.write(f"  blocks read:                 {report.total('blocks_read')}")
        out.write(f"  articles created:            {report.total('articles_created')}")
        out.write(f"  already stored, seen again:  {report.total('articles_seen_again')}")
        rejected = report.total("blocks_rejected")
        out.write(f"  blocks rejected:             {rejected}")
        for rejection in report.rejections:
            out.write(self.style.WARNING(f"    {rejection}"))
        if rejected > len(report.rejections):
            out.write(
                self.style.WARNING(
                    f"    ... and {rejected - len(report.rejections)} more, "
                    "listed on the import's page"
                )
            )
        if report.succeeded:
            out.write(self.style.SUCCESS("Done."))
