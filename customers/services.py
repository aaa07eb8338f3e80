"""Writes that span the customer models: workbook import and export."""

from __future__ import annotations

import datetime as dt
import itertools
import operator
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.apps import apps
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from customers.importer import (
    CellError,
    ErrorList,
    ParsedSheet,
    check_references,
    latest_activity,
    parse_sheet,
    shift_dates,
    values_for_database,
)
from customers.workbook import SHEETS, Sheet
from customers.workbook_files import (
    Engine,
    RawSheet,
    WorkbookUnreadable,
    workbook_read_sheets,
    workbook_sheet_names,
    workbook_write,
)
from procx_site.db import column_name

Progress = Callable[[str], None]

WRITE_BATCH_SIZE = 5_000
LOOKUP_BATCH_SIZE = 500
SQLITE_IMPORT_CACHE_KIB = 256 * 1024


class WorkbookInvalid(Exception):
    """The workbook breaks the data contract; nothing was written."""

    def __init__(self, errors: list[CellError], total: int) -> None:
        self.errors = errors
        self.total = total
        shown = "" if total == len(errors) else f" (the first {len(errors)} are listed)"
        super().__init__(f"the workbook has {total} error{'s' if total != 1 else ''}{shown}; nothing was imported")

    def lines(self) -> list[str]:
        lines = [str(self), *(f"  {error}" for error in self.errors)]
        if self.total > len(self.errors):
            lines.append(f"  ... and {self.total - len(self.errors)} more")
        return lines


@dataclass
class SheetReport:
    name: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    extra_columns: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import found and did (or, for a dry run, would do)."""

    source: str
    engine: str
    dry_run: bool
    sheets: list[SheetReport]
    ignored_sheets: list[str]
    warnings: list[str]
    shifted_by_days: int | None
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(sheet.rows for sheet in self.sheets)

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        verb = "Would import" if self.dry_run else "Imported"
        lines = [
            f"{verb} {self.total_rows:,} rows from {self.source} in {self.seconds:.1f} s ({self.rows_per_second:,.0f} rows/s)"
        ]
        for sheet in self.sheets:
            lines.append(
                f"  {sheet.name}: {sheet.rows:,} rows, {sheet.created:,} created, "
                f"{sheet.updated:,} updated, {sheet.unchanged:,} unchanged"
            )
            if sheet.extra_columns:
                lines.append(f"    ignored columns: {', '.join(sheet.extra_columns)}")
        if self.ignored_sheets:
            lines.append(f"  ignored sheets: {', '.join(self.ignored_sheets)}")
        if self.shifted_by_days is not None:
            lines.append(f"  dates shifted by {self.shifted_by_days:+,} days so the latest activity is today")
        lines.extend(f"  warning: {warning}" for warning in self.warnings)
        if self.dry_run:
            lines.append("  dry run: nothing was written")
        return lines


def workbook_import(
    *,
    path: Path,
    dry_run: bool = False,
    shift_to_today: bool = False,
    engine: Engine = "calamine",
    today: dt.date | None = None,
    progress: Progress | None = None,
    source_name: str | None = None,
) -> ImportReport:
    """Validate a workbook against the contract, then upsert its seven sheets by natural key.

    Everything is read and checked before anything is written; the writes happen in one
    transaction. Raises WorkbookInvalid (listing every problem found) or leaves the
    database as it was. Re-importing the same workbook changes nothing.
    """
    started = time.perf_counter()
    say = progress or (lambda message: None)
    path = Path(path)
    source = source_name or path.name
    errors = ErrorList()

    try:
        available = workbook_sheet_names(path, engine=engine)
    except WorkbookUnreadable as error:
        raise WorkbookInvalid([CellError(sheet=None, message=str(error))], 1) from error
    by_lower_name = {name.strip().lower(): name for name in available}
    ignored_sheets = [name for name in available if name.strip().lower() not in {sheet.name for sheet in SHEETS}]
    for sheet in SHEETS:
        if sheet.name not in by_lower_name:
            errors.add(CellError(sheet=sheet.name, message="the sheet is missing from the workbook"))
    present = [sheet for sheet in SHEETS if sheet.name in by_lower_name]

    parsed_sheets: dict[str, ParsedSheet] = {}
    known_keys: dict[str, set[str]] = {}  # the ids a reference may name: this workbook's and the database's
    try:
        raw_sheets = workbook_read_sheets(path, [by_lower_name[sheet.name] for sheet in present], engine=engine)
        for sheet, raw in zip(present, raw_sheets, strict=True):
            say(f"Checking {sheet.name}: {len(raw.rows):,} rows")
            parsed = parse_sheet(sheet, raw, errors)
            del raw
            if parsed is None:
                continue
            if sheet.name in ("customers", "orders"):
                known_keys[sheet.name] = set(parsed.frame[sheet.key].dropna()) | _database_keys(sheet)
            parsed_sheets[sheet.name] = parsed
    except WorkbookUnreadable as error:
        errors.add(CellError(sheet=None, message=str(error)))

    for parsed in parsed_sheets.values():
        references = {column.references for column in parsed.sheet.columns if column.references}
        if references <= known_keys.keys():
            check_references(parsed, known_keys, errors)
    if errors:
        raise WorkbookInvalid(errors.errors, errors.total)

    warnings = _payment_customer_mismatches(parsed_sheets)
    shifted_by_days = None
    if shift_to_today:
        latest = latest_activity(parsed_sheets.values())
        if latest is not None:
            shifted_by_days = ((today or timezone.now().date()) - latest.date()).days
            for parsed in parsed_sheets.values():
                shift_dates(parsed, shifted_by_days)

    reports = []
    if connection.vendor == "sqlite" and not dry_run:
        # SQLite's default page cache is 2 MB; inserting millions of rows into several
        # indexes thrashes it. 256 MB (allocated only as used) for this connection.
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    try:
        with transaction.atomic():
            for sheet in SHEETS:
                say(f"{'Comparing' if dry_run else 'Writing'} {sheet.name}")
                # Popped: a sheet's frame is freed once written, lowering the import's peak memory.
                reports.append(_upsert(parsed_sheets.pop(sheet.name), dry_run=dry_run, progress=say))
    except DatabaseError as error:
        raise WorkbookInvalid(
            [CellError(sheet=None, message=f"the database refused the import, nothing was written: {error}")], 1
        ) from error

    return ImportReport(
        source=source,
        engine=engine,
        dry_run=dry_run,
        sheets=reports,
        ignored_sheets=ignored_sheets,
        warnings=warnings,
        shifted_by_days=shifted_by_days,
        seconds=time.perf_counter() - started,
    )


def _model(sheet: Sheet) -> type[models.Model]:
    return apps.get_model(sheet.model_label)


def _database_keys(sheet: Sheet) -> set[str]:
    return set(_model(sheet)._default_manager.values_list("pk", flat=True).iterator(chunk_size=20_000))


def _payment_customer_mismatches(parsed_sheets: dict[str, ParsedSheet]) -> list[str]:
    """Payments whose customer differs from their order's: kept as given, but reported."""
    orders = parsed_sheets["orders"].frame.set_index("order_id")["customer_id"]
    payments = parsed_sheets["payments"].frame
    order_customer = payments["order_id"].map(orders)
    mismatched = payments[order_customer.notna() & (order_customer != payments["customer_id"])]
    if mismatched.empty:
        return []
    examples = ", ".join(f"row {row}" for row in mismatched["_row"].head(5))
    return [f"payments: {len(mismatched):,} rows name a customer other than their order's ({examples}); kept as given"]


def _upsert(parsed: ParsedSheet, *, dry_run: bool, progress: Progress) -> SheetReport:
    sheet = parsed.sheet
    model = _model(sheet)
    table = model._meta.db_table
    report = SheetReport(name=sheet.name, rows=len(parsed.frame), extra_columns=parsed.extra_columns)
    incoming = parsed.frame

    existing = _existing_rows(sheet, model, incoming[sheet.key])
    if existing is None:
        new = np.ones(len(incoming), dtype=bool)
        changed = np.zeros(len(incoming), dtype=bool)
    else:
        aligned = existing.reindex(incoming[sheet.key].to_numpy())
        new = aligned[sheet.key].isna().to_numpy()
        aligned = aligned.reset_index(drop=True)
        differs = np.zeros(len(incoming), dtype=bool)
        for column in sheet.column_names:
            left, right = incoming[column], aligned[column]
            same = (left == right).fillna(False).astype(bool) | (left.isna() & right.isna())
            differs |= ~same.to_numpy()
        changed = differs & ~new
    report.created = int(new.sum())
    report.updated = int(changed.sum())
    report.unchanged = report.rows - report.created - report.updated
    if dry_run or not (report.created or report.updated):
        return report

    fields = {field.attname: field for field in model._meta.concrete_fields}
    null_text = {name: (None if fields[name].null else "") for name in sheet.column_names}
    columns = values_for_database(parsed, null_text=null_text)
    quote = connection.ops.quote_name

    if report.created:
        # Fields the workbook does not fill (webhook-only columns, later additions) get their defaults.
        others = [f for f in model._meta.concrete_fields if f.attname not in sheet.column_names]
        defaults = [f.get_db_prep_save(f.get_default(), connection) for f in others]
        names = [*sheet.column_names, *(column_name(f) for f in others)]
        sql = (
            f"INSERT INTO {quote(table)} ({', '.join(quote(name) for name in names)}) "
            f"VALUES ({', '.join(['%s'] * len(names))})"
        )
        rows = _rows(columns, np.flatnonzero(new), defaults)
        _execute_in_batches(sql, rows, total=report.created, label=f"{sheet.name}: inserted", progress=progress)
    if report.updated:
        assignments = ", ".join(f"{quote(name)} = %s" for name in sheet.column_names if name != sheet.key)
        sql = f"UPDATE {quote(table)} SET {assignments} WHERE {quote(sheet.key)} = %s"
        key_position = sheet.column_names.index(sheet.key)
        reordered = [column for position, column in enumerate(columns) if position != key_position]
        reordered.append(columns[key_position])
        rows = _rows(reordered, np.flatnonzero(changed), [])
        _execute_in_batches(sql, rows, total=report.updated, label=f"{sheet.name}: updated", progress=progress)
    return report


def _rows(columns: list[list[Any]], positions: np.ndarray, constants: list[Any]) -> Iterator[tuple[Any, ...]]:
    """Row tuples for the given positions, built column-wise at C speed (zip, itemgetter)."""
    if len(positions) == 0:
        return iter(())
    if len(positions) < len(columns[0]):
        pick = operator.itemgetter(*positions.tolist())
        columns = [list(pick(column)) if len(positions) > 1 else [pick(column)] for column in columns]
    return zip(*columns, *(itertools.repeat(constant) for constant in constants), strict=False)


def _execute_in_batches(
    sql: str, rows: Iterator[tuple[Any, ...]], *, total: int, label: str, progress: Progress
) -> None:
    done = 0
    next_report = 100_000
    with connection.cursor() as cursor:
        while True:
            batch = [row for _, row in zip(range(WRITE_BATCH_SIZE), rows, strict=False)]
            if not batch:
                break
            cursor.executemany(sql, batch)
            done += len(batch)
            if done >= next_report or done == total:
                progress(f"  {label} {done:,} / {total:,}")
                next_report += 100_000


def _existing_rows(sheet: Sheet, model: type[models.Model], keys: pd.Series) -> pd.DataFrame | None:
    """The database's current rows for these keys, parsed exactly like workbook rows."""
    manager = model._default_manager
    stored = manager.count()
    if stored == 0:
        return None
    names = list(sheet.column_names)
    if len(keys) * 4 >= stored:
        rows = [list(row) for row in manager.values_list(*names).iterator(chunk_size=20_000)]
    else:
        rows = []
        key_list = keys.dropna().tolist()
        for start in range(0, len(key_list), LOOKUP_BATCH_SIZE):
            chunk = key_list[start : start + LOOKUP_BATCH_SIZE]
            rows.extend(list(row) for row in manager.filter(pk__in=chunk).values_list(*names))
    if not rows:
        return None
    parsed = parse_sheet(sheet, RawSheet(name=sheet.name, header=names, rows=rows), ErrorList())
    if parsed is None:
        return None
    return parsed.frame.set_index(sheet.key, drop=False)


# --- export ------------------------------------------------------------------------------


def workbook_frames() -> dict[str, pd.DataFrame]:
    """The seven sheets as data frames in the contract's layout and conventions."""
    frames = {}
    for sheet in SHEETS:
        model = _model(sheet)
        names = list(sheet.column_names)
        rows = list(model._default_manager.order_by("pk").values_list(*names).iterator(chunk_size=20_000))
        frame = pd.DataFrame(rows, columns=names, dtype=object)
        for column in sheet.columns:
            frame[column.name] = _export_values(column.kind, frame[column.name])
        frames[sheet.name] = frame
    return frames


def workbook_export(*, path: Path) -> dict[str, int]:
    """Write the database's seven sheets to an .xlsx file or a CSV folder; rows per sheet."""
    frames = workbook_frames()
    workbook_write(frames, Path(path))
    return {name: len(frame) for name, frame in frames.items()}


def _export_values(kind: str, values: pd.Series) -> pd.Series:
    def convert(value: Any) -> Any:
        if value is None or value == "":
            return None
        if kind == "date":
            return value.isoformat()
        if kind == "timestamp":
            return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")
        if kind == "decimal":
            return float(value)
        if kind == "phone":
            return int(value.removeprefix("+"))
        if kind == "yes_no":
            return "Y" if value else "N"
        if kind == "boolean":
            return bool(value)
        if kind == "flag":
            return int(value)
        return value

    # Built as an object series directly: mapping would turn ints with gaps into floats.
    return pd.Series([convert(value) for value in values.tolist()], index=values.index, dtype=object)
