from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from customers.services import workbook_export


class Command(BaseCommand):
    help = "Export the seven sheets to a .xlsx workbook or, for a path without suffix, a folder of CSV files."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="where to write: out.xlsx or a folder name")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        if path.suffix and path.suffix.lower() != ".xlsx":
            raise CommandError(f"{path}: give a .xlsx file or a folder name without a suffix")
        try:
            counts = workbook_export(path=path)
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error}") from error
        for name, count in counts.items():
            self.stdout.write(f"  {name}: {count:,} rows")
        self.stdout.write(f"Exported {sum(counts.values()):,} rows to {path}")
