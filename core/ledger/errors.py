"""Refusals of the ledger. Each is a DomainError: the change is undone and the caller told why."""

from __future__ import annotations

from core.errors import DomainError


class LedgerError(DomainError):
    code = "ledger_error"


class UnbalancedEntryError(LedgerError):
    """Lines that do not sum to zero per currency and phase, or fewer than two lines."""

    code = "ledger_unbalanced"


class IdempotencyConflictError(LedgerError):
    """The key was used before for an entry with other lines."""

    code = "ledger_key_conflict"


class PendingResolvedError(LedgerError):
    """The authorisation was already captured or voided (each resolves exactly once)."""

    code = "ledger_pending_resolved"


class AmountExceededError(LedgerError):
    """More than is left: a capture above the authorisation, a refund above what was paid."""

    code = "ledger_amount_exceeded"


class NoSuchEntryError(LedgerError):
    code = "ledger_no_such_entry"
