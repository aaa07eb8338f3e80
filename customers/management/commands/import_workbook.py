from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from customers.services import WorkbookInvalid, workbook_import
from customers.workbook_files import ENGINES


class Command(BaseCommand):
    help = (
        "Import a ProCX workbook (.xlsx, or a folder of <sheet>.csv files): validate all seven sheets, "
        "then upsert them by natural key in one transaction. Nothing is written if any row is invalid."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="the .xlsx workbook or a folder of CSV files")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
        parser.add_argument(
            "--shift-to-today",
            action="store_true",
            help="move every date by the same offset so the latest activity in the workbook is today",
        )
        parser.add_argument("--engine", choices=ENGINES, default="calamine", help="xlsx reader (default: calamine)")

    def handle(self, *args: Any, path: Path, dry_run: bool, shift_to_today: bool, engine: str, **options: Any) -> None:
        try:
            report = workbook_import(
                path=path,
                dry_run=dry_run,
                shift_to_today=shift_to_today,
                engine=engine,  # type: ignore[arg-type]
                progress=lambda message: self.stdout.write(message),
            )
        except WorkbookInvalid as invalid:
            for line in invalid.lines()[1:]:
                self.stderr.write(line)
            raise CommandError(str(invalid)) from invalid
        for line in report.lines():
            self.stdout.write(line)
