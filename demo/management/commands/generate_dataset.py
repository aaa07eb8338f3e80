from __future__ import annotations

import datetime as dt
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from customers.workbook_files import workbook_write
from demo.dataset import dataset_generate

DEFAULT_OUT = Path("fixtures") / "demo_workbook.xlsx"


class Command(BaseCommand):
    help = (
        "Generate a synthetic ProCX workbook (the seven sheets, in the reference workbook's proportions "
        "and value conventions) and write it as a .xlsx file or, for a path without suffix, a folder of CSV files. "
        "The same --customers, --seed and --as-of always give the same workbook."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--customers", type=int, default=1000, help="number of customers; other sheets scale with it (default 1000)"
        )
        parser.add_argument("--seed", type=int, default=42, help="random seed, 0 or more (default 42)")
        parser.add_argument(
            "--as-of",
            dest="as_of",
            default=None,
            help="the last day of history, YYYY-MM-DD; nothing happens after it (default: today, UTC)",
        )
        parser.add_argument(
            "--out",
            type=Path,
            default=None,
            help=f"a .xlsx file or a folder name without suffix (default: {DEFAULT_OUT} in the project)",
        )

    def handle(
        self, *args: Any, customers: int, seed: int, as_of: str | None, out: Path | None, **options: Any
    ) -> None:
        if customers < 1:
            raise CommandError(f"--customers must be at least 1 (got {customers})")
        if seed < 0:
            raise CommandError(f"--seed must be 0 or more (got {seed})")
        as_of_date = _parse_as_of(as_of)
        path = out if out is not None else Path(settings.BASE_DIR) / DEFAULT_OUT
        if path.suffix and path.suffix.lower() != ".xlsx":
            raise CommandError(f"--out {path}: give a .xlsx file or a folder name without a suffix")

        started = time.perf_counter()
        self.stdout.write(f"Generating {customers:,} customers (seed {seed}, as of {as_of_date.isoformat()})")
        frames = dataset_generate(
            customers=customers,
            seed=seed,
            as_of=as_of_date,
            progress=lambda message: self.stdout.write(f"  {message}"),
        )
        generated = time.perf_counter()
        self.stdout.write(f"Writing {path} ({'xlsx' if path.suffix else 'CSV folder'})")
        try:
            workbook_write(frames, path)
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error}") from error
        for name, frame in frames.items():
            self.stdout.write(f"  {name}: {len(frame):,} rows")
        total = sum(len(frame) for frame in frames.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {total:,} rows to {path} "
                f"(generated in {generated - started:.1f} s, written in {time.perf_counter() - generated:.1f} s)"
            )
        )


def _parse_as_of(text: str | None) -> dt.date:
    if text is None:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"--as-of {text!r} is not a date; give it as YYYY-MM-DD, e.g. 2025-10-09") from None
