"""The one SKIP LOCKED claimer (architecture.md 4), shared by the outbox relay and the jobs.

A claim is one statement: pick up to `limit` rows matching `where` in `order_by` order, skipping
rows another claimer holds, and mark them with `values` so the next claimer passes them by. The
caller commits; any number of claimers on any number of machines get disjoint rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session


def claim_rows(
    session: Session,
    model: Any,
    *,
    where: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
    limit: int,
    values: Mapping[str, Any],
    returning: Sequence[Any] = (),
) -> list[tuple[Any, ...]]:
    """Claim rows in the caller's transaction. Returns `(id, *returning)` rows in id order."""
    picked = (
        select(model.id)
        .where(*where)
        .order_by(*order_by)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("picked")
    )
    stmt = (
        update(model)
        .where(model.id == picked.c.id)
        .values(**values)
        .returning(model.id, *returning)
        .execution_options(synchronize_session=False)
    )
    return sorted((tuple(row) for row in session.execute(stmt)), key=lambda row: row[0])
