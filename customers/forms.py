"""The workbook upload form of the back office.

An upload is an .xlsx workbook or a .zip of `<sheet>.csv` files (the CSV-folder layout of
`manage.py import_workbook`, zipped). It is saved to a temporary folder, under its own
name so the importer's messages name the file the person uploaded, and removed afterwards.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django import forms
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename

# A zip's header states each member's size and reading stops there, so summing the headers
# bounds what extraction writes (a zip bomb is refused before anything is unpacked).
MAX_UNZIPPED_BYTES = 1024**3
COPY_CHUNK_BYTES = 1024**2

WORKBOOK_SUFFIXES = (".xlsx", ".zip")


class WorkbookUploadForm(forms.Form):
    workbook = forms.FileField(
        label="Workbook",
        help_text="An .xlsx workbook with the seven sheets, or a .zip of <sheet>.csv files (customers.csv, orders.csv ...).",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.zip"}),
    )
    dry_run = forms.BooleanField(
        required=False,
        label="Dry run (validate only)",
        help_text="Check the workbook and count what would change; write nothing.",
    )
    shift_to_today = forms.BooleanField(
        required=False,
        label="Shift dates so the latest activity is today",
        help_text="Moves every date and timestamp by the same number of days.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.csv_members: list[zipfile.ZipInfo] | None = None
        # Files in an uploaded zip that are not CSV sheets: skipped, and said so.
        self.ignored_files: list[str] = []

    def clean_workbook(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["workbook"]
        name = upload.name or ""
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in WORKBOOK_SUFFIXES:
            raise ValidationError(
                f"{name} is not a workbook: upload an .xlsx file or a .zip of <sheet>.csv files.", code="suffix"
            )
        if not zipfile.is_zipfile(upload):
            kind = "an Excel .xlsx workbook" if suffix == ".xlsx" else "a zip archive"
            raise ValidationError(f"{name} is not {kind} (the file cannot be opened as one).", code="unreadable")
        upload.seek(0)
        if suffix == ".zip":
            self.csv_members, self.ignored_files = _csv_members(upload, name)
        return upload

    @contextmanager
    def saved_workbook(self) -> Iterator[Path]:
        """The valid upload on disk (an .xlsx file or a folder of CSV files), removed on exit.

        Raises ValidationError when a zip member turns out to be unreadable while unpacking.
        """
        upload: UploadedFile = self.cleaned_data["workbook"]
        with tempfile.TemporaryDirectory(prefix="procx-upload-") as folder:
            if self.csv_members is None:
                target = Path(folder) / _local_name(upload.name or "", default="workbook.xlsx")
                with target.open("wb") as out:
                    for chunk in upload.chunks(COPY_CHUNK_BYTES):
                        out.write(chunk)
                yield target
                return
            sheets = Path(folder) / "sheets"
            sheets.mkdir()
            upload.seek(0)
            try:
                with zipfile.ZipFile(upload) as archive:
                    for member in self.csv_members:
                        stem = PurePosixPath(member.filename.replace("\\", "/")).stem
                        with archive.open(member) as source, (sheets / f"{stem}.csv").open("wb") as out:
                            shutil.copyfileobj(source, out, COPY_CHUNK_BYTES)
            except (zipfile.BadZipFile, OSError, EOFError) as error:
                raise ValidationError(f"{upload.name}: a file in the zip cannot be unpacked ({error}).") from error
            yield sheets


def _csv_members(upload: IO[bytes], name: str) -> tuple[list[zipfile.ZipInfo], list[str]]:
    """The zip's CSV members, checked: safe paths, one file per sheet name, a bounded size."""
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise ValidationError(f"{name} is not a readable zip archive ({error}).", code="unreadable") from error
    finally:
        upload.seek(0)
    members: list[zipfile.ZipInfo] = []
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for info in infos:
        path = info.filename.replace("\\", "/")
        if _is_unsafe(path):
            raise ValidationError(
                f"{name}: the member {info.filename!r} points outside the archive (absolute path or '..'); "
                "nothing was imported.",
                code="unsafe",
            )
        if info.is_dir() or _is_system_clutter(path):
            continue
        file_name = PurePosixPath(path).name
        if PurePosixPath(file_name).suffix.lower() != ".csv":
            ignored.append(info.filename)
            continue
        if info.flag_bits & 0x1:
            raise ValidationError(f"{name}: {info.filename} is encrypted; zip the CSV files without a password.")
        sheet = PurePosixPath(file_name).stem.strip().lower()
        if sheet in seen:
            raise ValidationError(
                f"{name}: {seen[sheet]} and {info.filename} are both the sheet {sheet!r}; keep one.", code="duplicate"
            )
        seen[sheet] = info.filename
        members.append(info)
    if not members:
        raise ValidationError(f"{name} holds no .csv files: zip the <sheet>.csv files of a workbook.", code="empty")
    unzipped = sum(member.file_size for member in members)
    if unzipped > MAX_UNZIPPED_BYTES:
        raise ValidationError(
            f"{name} unpacks to {unzipped / 1024**2:,.0f} MB; the limit is {MAX_UNZIPPED_BYTES / 1024**2:,.0f} MB.",
            code="too_large",
        )
    return members, ignored


def _is_unsafe(path: str) -> bool:
    parts = PurePosixPath(path).parts
    is_drive = len(path) >= 2 and path[1] == ":" and path[0].isalpha()
    return path.startswith("/") or is_drive or ".." in parts


def _is_system_clutter(path: str) -> bool:
    """Folders and files that archivers add on their own (macOS resource forks, .DS_Store)."""
    parts = PurePosixPath(path).parts
    return parts[0] == "__MACOSX" or parts[-1].startswith(".")


def _local_name(name: str, *, default: str) -> str:
    try:
        return get_valid_filename(PurePosixPath(name.replace("\\", "/")).name)
    except SuspiciousFileOperation:
        return default
