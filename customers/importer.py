"""Turning raw workbook cells into checked, typed columns (pure: no database, no request).

Every sheet is parsed column by column with vectorised pandas operations. A value that does
not fit its column becomes a `CellError` naming sheet, Excel row, column and value; the
importer collects them all (up to a cap) instead of stopping at the first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from customers.workbook import Column, Sheet
from customers.workbook_files import RawSheet

MAX_LISTED_ERRORS = 200

_TRUE_WORDS = {"true": True, "1": True, "yes": True, "y": True, "t": True}
_FALSE_WORDS = {"false": False, "0": False, "no": False, "n": False, "f": False}
_BOOLEAN_WORDS = {**_TRUE_WORDS, **_FALSE_WORDS}
_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
_FLOAT_ZEROS = re.compile(r"\.0+$")
_PHONE = re.compile(r"^\+?[0-9]{6,15}$")


@dataclass(frozen=True)
class CellError:
    """One problem in the workbook, located as a person would find it in Excel."""

    sheet: str | None  # None: the file as a whole
    message: str
    row: int | None = None  # Excel row number; 1 is the header row
    column: str | None = None
    value: Any = None

    def __str__(self) -> str:
        if self.sheet is None:
            return self.message
        place = [f"sheet {self.sheet!r}"]
        if self.row is not None:
            place.append(f"row {self.row}")
        if self.column is not None:
            place.append(f"column {self.column!r}")
        shown = f" (value: {_show(self.value)})" if self.value is not None else ""
        return f"{', '.join(place)}: {self.message}{shown}"


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class ErrorList:
    """Errors found so far: the first `limit` kept in full, all of them counted."""

    limit: int = MAX_LISTED_ERRORS
    errors: list[CellError] = field(default_factory=list)
    total: int = 0

    def add(self, error: CellError) -> None:
        self.total += 1
        if len(self.errors) < self.limit:
            self.errors.append(error)

    def add_rows(self, sheet: str, column: str, rows: pd.Series, values: pd.Series, message: str) -> None:
        """Record one error per row of a vectorised check (rows and values aligned)."""
        count = len(rows)
        room = max(self.limit - len(self.errors), 0)
        for row, value in zip(rows.iloc[:room].tolist(), values.iloc[:room].tolist(), strict=True):
            self.errors.append(CellError(sheet=sheet, row=int(row), column=column, value=value, message=message))
        self.total += count

    def __bool__(self) -> bool:
        return self.total > 0


@dataclass
class ParsedSheet:
    """A sheet's rows as typed columns (see `parse_column` for each kind's dtype)."""

    sheet: Sheet
    frame: pd.DataFrame  # one column per contract column, plus "_row" (Excel row number)
    extra_columns: list[str]


def is_blank(values: pd.Series) -> pd.Series:
    """True where a cell holds no value: None, NaN, NaT or text of only spaces."""
    # A plain comprehension: several times faster than pandas' isna + str accessor on object data.
    flags = np.fromiter(
        (
            value is None or value == "" or value != value or (value.__class__ is str and value.isspace())
            for value in values.tolist()
        ),
        dtype=bool,
        count=len(values),
    )
    return pd.Series(flags, index=values.index)


def _series(values: list[Any], index: pd.Index) -> pd.Series:
    return pd.Series(values, index=index, dtype=object)


def parse_sheet(sheet: Sheet, raw: RawSheet, errors: ErrorList) -> ParsedSheet | None:
    """Check a raw sheet against the contract; None if it cannot be parsed at all.

    Consumes `raw`: its rows are released once they are in a data frame.
    """
    header = [name.strip().lower() for name in raw.header]
    if not header:
        errors.add(CellError(sheet=sheet.name, row=1, message="the sheet is empty: no header row"))
        return None
    positions: dict[str, int] = {}
    for position, name in enumerate(header):
        if name == "":
            continue
        if name in positions:
            errors.add(
                CellError(sheet=sheet.name, row=1, column=name, message="the column appears twice in the header")
            )
            continue
        positions[name] = position
    missing = [name for name in sheet.column_names if name not in positions]
    for name in missing:
        errors.add(CellError(sheet=sheet.name, row=1, column=name, message="required column is missing"))
    if missing:
        return None
    extra_columns = [raw.header[position] for name, position in positions.items() if name not in sheet.column_names]

    width = len(raw.header)
    rectangular = all(len(row) == width for row in raw.rows)
    table = pd.DataFrame(
        raw.rows if rectangular else [(list(row) + [None] * width)[:width] for row in raw.rows],
        columns=range(width),
        dtype=object,
    )
    raw.rows = []  # the frame holds the cells now; drop the row lists (a large share of peak memory)
    table["_row"] = np.arange(2, len(table) + 2)
    blanks = {name: is_blank(table[positions[name]]) for name in sheet.column_names}
    if len(table):
        # Rows with nothing in any contract column are Excel's formatting leftovers, not data.
        empty_rows = np.logical_and.reduce([blank.to_numpy() for blank in blanks.values()])
        if empty_rows.any():
            table = table[~empty_rows]
            blanks = {name: blank[~empty_rows] for name, blank in blanks.items()}
    if table.empty and not sheet.may_be_empty:
        errors.add(CellError(sheet=sheet.name, row=2, message="the sheet has a header but no rows"))
        return None

    rows = table["_row"]
    frame = pd.DataFrame({"_row": rows.to_numpy()}, index=table.index)
    for column in sheet.columns:
        frame[column.name] = parse_column(
            sheet.name, column, table[positions[column.name]], rows, errors, blank=blanks[column.name]
        )
    for column in sheet.columns:
        if column.unique:
            _check_unique(sheet.name, column.name, frame[column.name], rows, errors)
    return ParsedSheet(sheet=sheet, frame=frame.reset_index(drop=True), extra_columns=extra_columns)


def parse_column(
    sheet_name: str,
    column: Column,
    raw: pd.Series,
    rows: pd.Series,
    errors: ErrorList,
    *,
    blank: pd.Series | None = None,
) -> pd.Series:
    """Parse one column; returns typed values and records an error for every bad cell.

    dtypes: text-like kinds → object (str or None); date/timestamp → datetime64 (naive UTC);
    decimal/number → float64; integer → Int64; boolean/yes_no/flag → object (bool or None).
    """
    blank = is_blank(raw) if blank is None else blank
    present = raw[~blank]
    if not column.nullable and blank.any():
        errors.add_rows(
            sheet_name,
            column.name,
            rows[blank],
            _series([None] * int(blank.sum()), rows[blank].index),
            "a value is required",
        )

    parsed, bad, message = _PARSERS[column.kind](present, column)
    if bad.any():
        errors.add_rows(sheet_name, column.name, rows[present.index[bad]], present[bad], message)

    if column.kind in ("decimal", "number", "integer") and (column.minimum is not None or column.maximum is not None):
        numbers = parsed[~bad].astype(float)
        out_of_range = pd.Series(False, index=numbers.index)
        if column.minimum is not None:
            out_of_range |= numbers < column.minimum
        if column.maximum is not None:
            out_of_range |= numbers > column.maximum
        if out_of_range.any():
            index = out_of_range[out_of_range].index
            errors.add_rows(sheet_name, column.name, rows[index], present[index], _range_message(column))

    result = parsed.reindex(raw.index)
    if result.dtype == object:  # reindexing fills gaps with NaN; text columns keep None
        result = _series([None if value is None or value != value else value for value in result.tolist()], raw.index)
    return result


def _range_message(column: Column) -> str:
    if column.minimum is not None and column.maximum is not None:
        return f"must be between {column.minimum:g} and {column.maximum:g}"
    if column.minimum is not None:
        return f"must be at least {column.minimum:g}"
    return f"must be at most {column.maximum:g}"


def _check_unique(sheet_name: str, name: str, values: pd.Series, rows: pd.Series, errors: ErrorList) -> None:
    present = values.dropna()
    duplicated = present.duplicated(keep="first")
    if not duplicated.any():
        return
    first_row = rows[present.index].groupby(present.to_numpy()).transform("first")
    for index in present.index[duplicated.to_numpy()]:
        errors.add(
            CellError(
                sheet=sheet_name,
                row=int(rows[index]),
                column=name,
                value=values[index],
                message=f"duplicate {name}: row {int(first_row[index])} has it already",
            )
        )


# --- one parser per column kind: (values, bad mask aligned to values, message) -----------


def _as_text(values: pd.Series) -> pd.Series:
    """Cell values as stripped text; whole numbers lose the ".0" Excel gives them."""

    def convert(value: Any) -> str:
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, dt.datetime):
            return value.isoformat()
        return str(value).strip()

    return _series(
        [value.strip() if value.__class__ is str else convert(value) for value in values.tolist()], values.index
    )


def _parse_text(values: pd.Series, column: Column) -> tuple[pd.Series, pd.Series, str]:
    text = _as_text(values)
    if not column.unique:
        # Readers make a new string object per cell; a column like customer_id or event_type
        # repeats a few values across a million rows. Sharing one object per distinct value
        # cuts the memory a large import holds by a third.
        shared: dict[str, str] = {}
        text = _series([shared.setdefault(value, value) for value in text.tolist()], text.index)
    return text, pd.Series(False, index=values.index), ""


def _parse_phone(values: pd.Series, column: Column) -> tuple[pd.Series, pd.Series, str]:
    # A CSV saved from a float column writes 919831882064 as "919831882064.0".
    digits = [_PHONE_PUNCTUATION.sub("", _FLOAT_ZEROS.sub("", text)) for text in _as_text(values).tolist()]
    bad = pd.Series([_PHONE.match(text) is None for text in digits], index=values.index, dtype=bool)
    normalised = [text if text.startswith("+") else f"+{text}" for text in digits]
    return _series(normalised, values.index), bad, "is not a phone number (6 to 15 digits, optionally with a leading +)"


def _to_datetime(values: pd.Series) -> pd.Series:
    # Text is ISO 8601 (naive means UTC); native Excel cells arrive as date/datetime objects.
    # Non-date types (numbers, booleans) are not dates, whatever pandas would make of them.
    candidates = [
        value.strip() if value.__class__ is str else value if isinstance(value, dt.date) else None
        for value in values.tolist()
    ]
    parsed = pd.to_datetime(_series(candidates, values.index), format="ISO8601", utc=True, errors="coerce")
    return parsed.dt.tz_localize(None).astype("datetime64[us]")


def _parse_date(values: pd.Series, column: Column) -> tuple[pd.Series, pd.Series, str]:
    parsed = _to_datetime(values) if len(values) else pd.Series([], dtype="datetime64[us]", index=values.index)
    return parsed.dt.floor("D"), parsed.isna(), "is not a date (expected YYYY-MM-DD or a date cell)"


def _parse_timestamp(values: pd.Series, column: Column) -> tuple[pd.Series, pd.Series, str]:
    parsed = _to_datetime(values) if len(values) else pd.Series([], dtype="datetime64[us]", index=values.index)
    return parsed.dt.floor("s"), parsed.isna(), "is not a timestamp (expected YYYY-MM-DDTHH:MM:SS or a date-time cell)"


def _to_number(values: pd.Series) -> pd.Series:
    def clean(value: Any) -> Any:
        if isinstance(value, bool):
            return None  # True is not a number of items or an amount
        if isinstance(value, str):
            return value.strip().replace(",", "").removeprefix("$")
        return value

    cleaned = [value if value.__class__ in (float, int) else clean(value) for value in values.tolist()]
    return pd.to_numeric(_series(cleaned, values.index), errors="coerce").astype(float)


def _parse_decimal(values: pd.Series, column: Column) -> tuple[pd.Series, pd.Series, str]:
    numbers = _to_number(values)
    bad = numbers.isna() | ~np.isfinite(numbers)
    return numbers.round(2), bad, "is not an amount"


def _parse_number(values: pd.Series, column: Column) -> tuple[pd.Series, pd.Series, str]:
    numbers = _to_number(values)
    return numbers, numbers.isna() | ~np.isfinite(numbers), "is not a number"


def _parse_integer(values: pd.Series, column: Column) -> tuple[pd.Series, pd.Series, str]:
    numbers = _to_number(values)
    bad = numbers.isna() | ~np.isfinite(numbers) | (numbers != numbers.round())
    return numbers.where(~bad).round().astype("Int64"), bad, "is not a whole number"


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        return _BOOLEAN_WORDS.get(value.strip().lower())
    return None


def _parse_boolean(values: pd.Series, column: Column) -> tuple[pd.Series, pd.Series, str]:
    parsed = _series([_boolean(value) for value in values.tolist()], values.index)
    expected = {"yes_no": "Y or N", "flag": "0 or 1"}.get(column.kind, "True or False (or 1/0)")
    return parsed, parsed.isna(), f"is not {expected}"


def _parse_enum(values: pd.Series, column: Column) -> tuple[pd.Series, pd.Series, str]:
    canonical = {choice.lower(): choice for choice in column.choices}
    parsed = _series([canonical.get(text.lower()) for text in _as_text(values).tolist()], values.index)
    return parsed, parsed.isna(), f"is not one of {', '.join(column.choices)}"


_PARSERS = {
    "text": _parse_text,
    "id": _parse_text,
    "phone": _parse_phone,
    "date": _parse_date,
    "timestamp": _parse_timestamp,
    "decimal": _parse_decimal,
    "number": _parse_number,
    "integer": _parse_integer,
    "boolean": _parse_boolean,
    "yes_no": _parse_boolean,
    "flag": _parse_boolean,
    "enum": _parse_enum,
}


def check_references(parsed: ParsedSheet, known_keys: dict[str, set[str]], errors: ErrorList) -> None:
    """Every reference column must name a key of its sheet (in this workbook or the database)."""
    frame = parsed.frame
    for column in parsed.sheet.columns:
        if column.references is None:
            continue
        values = frame[column.name]
        unknown = values.notna() & ~values.isin(known_keys[column.references])
        if unknown.any():
            noun = column.references.removesuffix("s")
            errors.add_rows(
                parsed.sheet.name,
                column.name,
                frame.loc[unknown, "_row"],
                values[unknown],
                f"points nowhere: no such {noun} in this workbook or the database",
            )


def latest_activity(sheets: Iterable[ParsedSheet]) -> pd.Timestamp | None:
    """The latest date or time of activity across sheets (for --shift-to-today)."""
    latest = [
        parsed.frame[parsed.sheet.activity_column].max()
        for parsed in sheets
        if parsed.sheet.activity_column is not None and len(parsed.frame)
    ]
    latest = [value for value in latest if not pd.isna(value)]
    return max(latest) if latest else None


def shift_dates(parsed: ParsedSheet, days: int) -> None:
    """Move every date and timestamp of a sheet by the same number of days, in place."""
    offset = pd.Timedelta(days=days)
    for column in parsed.sheet.columns:
        if column.kind in ("date", "timestamp"):
            parsed.frame[column.name] = parsed.frame[column.name] + offset


def values_for_database(parsed: ParsedSheet, *, null_text: dict[str, str | None]) -> list[list[Any]]:
    """Columns as lists of plain Python values the database drivers take as they are.

    Dates and timestamps become ISO text (naive UTC, which both SQLite and PostgreSQL read
    correctly with Django's UTC connections); amounts become exact two-decimal text.
    `null_text[column]` is what an empty text cell is stored as ("" or None).
    """
    columns: list[list[Any]] = []
    for column in parsed.sheet.columns:
        values = parsed.frame[column.name]
        if column.kind in ("date", "timestamp"):
            columns.append(_iso_text(values, date_only=column.kind == "date"))
        elif column.kind == "decimal":
            columns.append([f"{number:.2f}" if number == number else None for number in values.tolist()])
        elif column.kind == "integer":
            columns.append([None if number is pd.NA else int(number) for number in values.astype(object).tolist()])
        elif column.kind == "number":
            columns.append([number if number == number else None for number in values.tolist()])
        else:
            empty = null_text.get(column.name)
            columns.append([empty if value is None else value for value in values.tolist()])
    return columns


def _iso_text(values: pd.Series, *, date_only: bool) -> list[str | None]:
    missing = values.isna().to_numpy()
    text = np.datetime_as_string(values.to_numpy(dtype="datetime64[s]"), unit="s")
    if date_only:
        return [None if gap else stamp[:10] for stamp, gap in zip(text.tolist(), missing.tolist(), strict=True)]
    # "YYYY-MM-DD HH:MM:SS", as Django itself stores datetimes in SQLite: text comparisons stay right.
    return [
        None if gap else f"{stamp[:10]} {stamp[11:]}"
        for stamp, gap in zip(text.tolist(), missing.tolist(), strict=True)
    ]
