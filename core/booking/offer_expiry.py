"""The offer-expiry job handler (imported by workers/jobs.py so it is registered)."""

from __future__ import annotations

from typing import Any

from core.db import UnitOfWork
from core.jobs.service import job_handler

from .cascade import OFFER_EXPIRY_JOB, expire_offer


@job_handler(OFFER_EXPIRY_JOB)
def run_offer_expiry(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    """In the job's transaction. An offer already accepted, declined or expired is left alone."""
    expire_offer(uow, int(payload["offer_id"]))
