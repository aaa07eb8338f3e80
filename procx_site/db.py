"""Writing rows without the ORM's per-object work, where it is the cost that matters.

The scan stores 100,000 snapshots at a time and the webhook endpoint stores every delivery
while the provider waits; both know exactly which columns they write. The values are still
prepared by each field (dates, decimals, JSON), so the rows are what `save()` would write.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models


def column_name(field: models.Field) -> str:
    """A concrete field's column. Django types `Field.column` as optional because fields that
    are not concrete (relations seen from the other side) have none; these writers only take
    concrete fields, so a missing column is a programming error, said at once."""
    if field.column is None:
        raise TypeError(f"{field!r} has no database column")
    return field.column


def column_prepare(field: models.Field[Any, Any], values: Sequence[object]) -> Sequence[object]:
    """A column's values as the database driver takes them, prepared per column, not per cell."""
    if isinstance(field, models.JSONField):
        return [connection.ops.adapt_json_value(value, field.encoder) for value in values]
    if isinstance(field, models.DateTimeField):
        cache: dict[object, object] = {}  # snapshots of one scan share one moment
        for value in set(values):
            cache[value] = field.get_db_prep_save(value, connection)
        return [cache[value] for value in values]
    if isinstance(field, models.DecimalField | models.ForeignKey):
        return [field.get_db_prep_save(value, connection) for value in values]
    return values  # text, numbers and booleans go to the drivers as they are


def _insert_sql(model: type[models.Model], fields: list[models.Field]) -> str:
    quote = connection.ops.quote_name
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(column_name(field)) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )


def rows_insert(model: type[models.Model], columns: Mapping[str, Sequence[object]]) -> None:
    """Insert rows with one executemany: a fixed number of queries however many rows.

    (bulk_create splits into batches of 999 // fields rows on SQLite, so its query count
    grows with the number of rows.) `columns` maps attribute names to equal-length lists.
    """
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[name] for name in columns]
    values = [column_prepare(field, column) for field, column in zip(fields, columns.values(), strict=True)]
    rows = list(zip(*values, strict=True))
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(_insert_sql(model, fields), rows)


@functools.cache
def _single_insert(model: type[models.Model], vendor: str) -> tuple[tuple[models.Field, ...], tuple[bool, ...], str]:
    """The columns of a one-row INSERT (every concrete one but an automatic key), which of them
    need preparing by their field, and the SQL: worked out once per model, not per row."""
    fields = tuple(
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField | models.BigAutoField))
    )
    prepared = tuple(
        isinstance(field, models.JSONField | models.DateTimeField | models.DateField | models.DecimalField)
        or field.is_relation
        for field in fields
    )
    return fields, prepared, _insert_sql(model, list(fields))


def instance_insert(instance: models.Model) -> None:
    """INSERT one unsaved instance as it is, every concrete column but an automatic primary key,
    in one statement (an IntegrityError if it breaks a constraint). Its `pk` stays unset when the
    database would have generated it: use this where nothing reads the new id back."""
    fields, prepared, sql = _single_insert(type(instance), connection.vendor)
    values = []
    for field, needs_preparing in zip(fields, prepared, strict=True):
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            field.pre_save(instance, add=True)
        value = getattr(instance, field.attname)
        values.append(field.get_db_prep_save(value, connection) if needs_preparing else value)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
    if instance.pk is not None:  # a natural key: the instance is now the stored row
        instance._state.adding = False
        instance._state.db = connection.alias
