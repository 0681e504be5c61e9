"""Claim one inbound delivery by the provider's own id (architecture.md 5).

`claim` inserts the (provider, provider_ref) record in the caller's transaction; the first
delivery gets None and goes on to do its work, which commits with the record. A retry, or a
delivery racing the first (it waits on the unique key), gets the stored answer instead, and
must change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from core.db import UnitOfWork

from .model import InboundRequest
from .text import storable


@dataclass(frozen=True)
class StoredResponse:
    status: int
    content_type: str
    body: str


def claim(
    uow: UnitOfWork, provider: str, provider_ref: str, response: StoredResponse
) -> StoredResponse | None:
    """None when this delivery is the first (recorded now, with `response`); otherwise the
    answer stored by the first."""
    ref = storable(provider_ref)[:200]
    claimed = uow.session.execute(
        insert(InboundRequest)
        .values(
            provider=provider,
            provider_ref=ref,
            response_status=response.status,
            response_type=response.content_type,
            response_body=response.body,
        )
        .on_conflict_do_nothing(index_elements=["provider", "provider_ref"])
        .returning(InboundRequest.id)
    ).scalar_one_or_none()
    if claimed is not None:
        return None
    stored = uow.session.scalars(
        select(InboundRequest).where(
            InboundRequest.provider == provider, InboundRequest.provider_ref == ref
        )
    ).one()
    return StoredResponse(stored.response_status, stored.response_type, stored.response_body)
