"""The query side of keyset pagination (the token side is `docmesh_session.paging`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, literal, tuple_


def keyset_page(
    query: Select[Any],
    columns: Sequence[ColumnElement[Any]],
    after: Sequence[Any] | None,
    *,
    descending: bool,
    limit: int,
) -> Select[Any]:
    """`query` ordered by `columns` (all descending or all ascending), from the row strictly
    after the key `after` (one value per column; None for the first page), `limit` rows.

    The key is compared as a row value, so the listing's index on the same columns serves
    both the condition and the order."""
    if after is not None:
        if len(columns) == 1:
            key: ColumnElement[Any] = columns[0]
            bound: ColumnElement[Any] = literal(after[0], columns[0].type)
        else:
            key = tuple_(*columns)
            bound = tuple_(
                *(literal(value, column.type) for value, column in zip(after, columns, strict=True))
            )
        query = query.where(key < bound if descending else key > bound)
    order = [column.desc() if descending else column.asc() for column in columns]
    return query.order_by(*order).limit(limit)
