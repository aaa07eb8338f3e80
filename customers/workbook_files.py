"""Reading and writing workbook files: one .xlsx with a sheet per table, or a folder of CSVs.

Readers return each sheet as a header plus rows of raw cell values (what the file holds,
before any validation); `customers.importer` turns them into checked, typed columns.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

Engine = Literal["calamine", "openpyxl"]
ENGINES: tuple[Engine, ...] = ("calamine", "openpyxl")


class WorkbookUnreadable(Exception):
    """The file is missing, not a workbook, or cannot be opened."""


@dataclass
class RawSheet:
    name: str
    header: list[str]
    rows: list[list[Any]]  # one list per data row; the first data row is Excel row 2


def is_csv_folder(path: Path) -> bool:
    return path.is_dir()


def workbook_sheet_names(path: Path, *, engine: Engine = "calamine") -> list[str]:
    """The sheet names a workbook holds, in file order."""
    return list(_open(path, engine=engine).sheet_names())


def workbook_read_sheets(path: Path, names: list[str], *, engine: Engine = "calamine") -> Iterator[RawSheet]:
    """Yield the named sheets one at a time, so only one sheet's raw cells are in memory."""
    reader = _open(path, engine=engine)
    try:
        for name in names:
            yield reader.read(name)
    finally:
        reader.close()


def workbook_write(sheets: Mapping[str, pd.DataFrame], path: Path) -> None:
    """Write data frames as sheets: an .xlsx file, or a folder of `<sheet>.csv` files.

    Empty values (None, NaN, NaT) become empty cells. Text stays text: no formulas,
    no hyperlinks, no numbers guessed from strings.
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(sheets, path)
    elif path.suffix == "":
        path.mkdir(parents=True, exist_ok=True)
        for name, frame in sheets.items():
            frame.to_csv(path / f"{name}.csv", index=False)
    else:
        raise ValueError(f"{path}: write a .xlsx file or a folder (no suffix) of CSV files")


def _write_xlsx(sheets: Mapping[str, pd.DataFrame], path: Path) -> None:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "nan_inf_to_errors": False,
    }
    workbook = xlsxwriter.Workbook(str(path), options)
    # Date objects become native date cells, as Excel saves them; text dates stay text.
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    timestamp_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    try:
        for name, frame in sheets.items():
            worksheet = workbook.add_worksheet(name)
            worksheet.write_row(0, 0, list(frame.columns))
            columns = [_cells(frame[column]) for column in frame.columns]
            for row_index, row in enumerate(zip(*columns, strict=True), start=1):
                for column_index, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, dt.datetime):
                        worksheet.write_datetime(row_index, column_index, value, timestamp_format)
                    elif isinstance(value, dt.date):
                        worksheet.write_datetime(row_index, column_index, value, date_format)
                    else:
                        worksheet.write(row_index, column_index, value)
    finally:
        workbook.close()


def _cells(series: pd.Series) -> list[Any]:
    """A column's values as Python objects, with every kind of missing value as None."""
    values = series.astype(object).tolist()
    return [
        None if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT else value
        for value in values
    ]


# --- readers -----------------------------------------------------------------------------


class _Reader:
    def sheet_names(self) -> list[str]:
        raise NotImplementedError

    def read(self, name: str) -> RawSheet:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _open(path: Path, *, engine: Engine) -> _Reader:
    path = Path(path)
    if not path.exists():
        raise WorkbookUnreadable(f"{path}: no such file or folder")
    if path.is_dir():
        return _CsvFolderReader(path)
    if path.stat().st_size == 0:
        raise WorkbookUnreadable(f"{path}: the file is empty")
    if path.suffix.lower() == ".csv":
        raise WorkbookUnreadable(
            f"{path}: a single CSV file is not a workbook; give the folder holding <sheet>.csv files"
        )
    if engine == "calamine":
        return _CalamineReader(path)
    if engine == "openpyxl":
        return _OpenpyxlReader(path)
    raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")


def _split(name: str, table: list[list[Any]]) -> RawSheet:
    if not table:
        return RawSheet(name=name, header=[], rows=[])
    header = ["" if cell is None else str(cell).strip() for cell in table[0]]
    # Trailing empty header cells are formatting leftovers, not columns.
    while header and header[-1] == "":
        header.pop()
    return RawSheet(name=name, header=header, rows=table[1:])


class _CalamineReader(_Reader):
    def __init__(self, path: Path) -> None:
        from python_calamine import CalamineWorkbook

        try:
            self.workbook = CalamineWorkbook.from_path(str(path))
        except Exception as error:  # calamine raises its own error types for every bad file
            raise WorkbookUnreadable(f"{path.name}: not a readable .xlsx workbook ({error})") from error
        self.path = path

    def sheet_names(self) -> list[str]:
        return list(self.workbook.sheet_names)

    def read(self, name: str) -> RawSheet:
        try:
            table = self.workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as error:
            raise WorkbookUnreadable(f"{self.path.name}: sheet {name!r} cannot be read ({error})") from error
        return _split(name, table)

    def close(self) -> None:
        self.workbook.close()


class _OpenpyxlReader(_Reader):
    def __init__(self, path: Path) -> None:
        import openpyxl

        try:
            self.workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # zipfile, XML and openpyxl errors alike
            raise WorkbookUnreadable(f"{path.name}: not a readable .xlsx workbook ({error})") from error
        self.path = path

    def sheet_names(self) -> list[str]:
        return list(self.workbook.sheetnames)

    def read(self, name: str) -> RawSheet:
        try:
            table = [list(row) for row in self.workbook[name].iter_rows(values_only=True)]
        except Exception as error:
            raise WorkbookUnreadable(f"{self.path.name}: sheet {name!r} cannot be read ({error})") from error
        return _split(name, table)

    def close(self) -> None:
        self.workbook.close()


class _CsvFolderReader(_Reader):
    def __init__(self, path: Path) -> None:
        self.path = path

    def sheet_names(self) -> list[str]:
        return sorted(file.stem for file in self.path.glob("*.csv"))

    def read(self, name: str) -> RawSheet:
        file = self.path / f"{name}.csv"
        try:
            with file.open(newline="", encoding="utf-8-sig") as handle:
                table = list(csv.reader(handle))
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise WorkbookUnreadable(f"{file.name}: cannot be read as UTF-8 CSV ({error})") from error
        return _split(name, table)
