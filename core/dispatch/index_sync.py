"""Keep the geo index in step with SQL: after commit on every change, and rebuilt from SQL on
start and whenever the index is found missing (Redis flushed)."""

from __future__ import annotations

import logging

from sqlalchemy import text

from core.db import UnitOfWork

log = logging.getLogger(__name__)


def sync_after_commit(
    uow: UnitOfWork, operator_id: int, online: bool, lat: float, lon: float
) -> None:
    """Once the caller commits, put the operator in the index (online) or take them out."""
    index = uow.operator_index
    if index is None:
        return

    def apply() -> None:
        try:
            if online:
                index.put(operator_id, lat, lon)
            else:
                index.remove(operator_id)
        except Exception:  # noqa: BLE001 - SQL is the truth; a rebuild repairs the index
            log.exception("geo index update failed for operator %s", operator_id)

    uow.after_commit(apply)


def rebuild_index(uow: UnitOfWork) -> int:
    """Replace the index with every online operator from SQL. Returns how many were indexed.

    Reads in its own short transaction; safe to run at any time and from any process."""
    index = uow.operator_index
    if index is None:
        return 0
    with uow.fresh() as reader:
        # Plain SQL over the operators table, as candidate search reads it (candidates.py):
        # dispatch sits below booking and does not import its model.
        rows = reader.session.execute(
            text("select person_id, lat, lon from operators where online")
        )
        count = index.replace_all((int(r.person_id), r.lat, r.lon) for r in rows)
    log.info("geo index rebuilt with %s online operators", count)
    return count


def ensure_index(uow: UnitOfWork) -> None:
    """Rebuild the index if it is missing. Cheap when present (one Redis call)."""
    index = uow.operator_index
    if index is not None and not index.is_built():
        rebuild_index(uow)
