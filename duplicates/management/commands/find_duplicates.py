import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date
from tqdm import tqdm

from duplicates.services import Progress, find_duplicates


class _Bars(Progress):
    """One progress bar per phase, on a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None

    def phase(self, name: str, total: int) -> None:
        self.close()
        self.bar = tqdm(
            total=total, desc=f"{name:>10}", unit="", disable=not self.enabled, file=sys.stderr
        )

    def advance(self, steps: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(steps)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = (
        "Find near-duplicate candidate pairs: for the whole archive, or for the articles imported "
        "since a date (checked against the whole archive). Band keys that are missing, of an "
        "older engine version or computed from a text corrected since are recomputed. Pairs "
        "already stored are never touched: a 'not a duplicate' decision sticks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            metavar="YYYY-MM-DD",
            help="Only articles imported on or after this date (against the whole archive).",
        )
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Recompute every article's band keys, even those that look current.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Processes computing shingles and keys in a whole-archive run "
            "(default: one per CPU; 1: in this process).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            help="Articles read per database round trip (default: %(default)s).",
        )

    def handle(self, *args, since, rebuild, workers, batch_size, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if workers is not None and workers < 1:
            raise CommandError("--workers must be at least 1.")
        day = None
        if since:
            try:
                day = parse_date(since)
            except ValueError:
                day = None
            if day is None:
                raise CommandError(f"--since takes a date as YYYY-MM-DD, not {since!r}.")
        bars = _Bars(enabled=verbosity > 0 and sys.stderr.isatty())
        started = time.perf_counter()
        try:
            report = find_duplicates(
                since=day, rebuild=rebuild, batch_size=batch_size, workers=workers, progress=bars
            )
        finally:
            bars.close()
        seconds = time.perf_counter() - started
        scope = f"imported since {day:%Y-%m-%d}" if day else "in the archive"
        self.stdout.write(f"  articles {scope}:  {report.articles}")
        self.stdout.write(f"  band keys computed:  {report.sketched} articles")
        if day is None:
            self.stdout.write(f"  pairs sharing a band key:  {report.pairs_sharing_a_band}")
            self.stdout.write(f"  pairs checked (not stored yet):  {report.pairs_checked}")
        self.stdout.write(f"  new candidate pairs:  {report.candidates_created}")
        if verbosity > 1:
            for phase, spent in report.seconds.items():
                self.stdout.write(f"  {phase}: {spent:.1f} s")
        self.stdout.write(self.style.SUCCESS(f"Done in {seconds:.1f} s."))
