"""The chart of accounts (docs/ledger.md): who owns an account, what it is for, its currency.

An account is named by an `Account` value; its row is made the first time a line needs it
(`account_ids`), so nobody has to open accounts ahead of time. Balances are debits minus
credits: an asset (cash held by an operator, a consumer's debt) is positive, a liability or
revenue (what we owe an operator, commission earned, VAT owed) is negative.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import text

from core.db import UnitOfWork

ZAR = "ZAR"
PTS = "PTS"


class Purpose(StrEnum):
    # consumer
    RECEIVABLE = "receivable"  # consumer: owes us (+) or paid ahead (-); operator: owes us (+)
    # operator
    PAYABLE = "payable"  # what we owe the operator for jobs done (-)
    CASH_HELD = "cash_held"  # cash the operator collected that is not yet accounted for (+)
    FEES_PENDING = "fees_pending"  # operator's share of a fee not yet collected (-)
    # platform
    COMMISSION = "commission"  # commission revenue, net of VAT (-)
    VAT = "vat"  # VAT included in commission (and fees), owed to SARS (-)
    REFUNDS = "refunds"  # refunds the platform bears itself (+)
    PAYOUTS_IN_TRANSIT = "payouts_in_transit"  # sent to a bank, not yet confirmed (+)
    LOYALTY = "loyalty"  # points owed to consumers, in PTS (-)
    POINTS_ISSUED = "points_issued"  # the cost side of points granted, in PTS (+)
    # provider (one set per payment provider)
    CLEARING = "clearing"  # captured at the provider, not yet settled to our bank (+)
    FEES = "fees"  # what the provider charged us (+)


@dataclass(frozen=True, order=True)
class Account:
    owner_kind: str  # platform, consumer, operator, provider
    purpose: Purpose
    owner_id: int | None = None
    provider: str | None = None
    currency: str = ZAR

    @property
    def code(self) -> str:
        owner = self.provider if self.owner_kind == "provider" else self.owner_id
        middle = "" if owner is None else f":{owner}"
        suffix = "" if self.currency == ZAR else f":{self.currency}"
        return f"{self.owner_kind}{middle}:{self.purpose.value}{suffix}"


def consumer_receivable(person_id: int) -> Account:
    return Account("consumer", Purpose.RECEIVABLE, owner_id=person_id)


def operator_payable(person_id: int) -> Account:
    return Account("operator", Purpose.PAYABLE, owner_id=person_id)


def operator_receivable(person_id: int) -> Account:
    return Account("operator", Purpose.RECEIVABLE, owner_id=person_id)


def operator_cash_held(person_id: int) -> Account:
    return Account("operator", Purpose.CASH_HELD, owner_id=person_id)


def operator_fees_pending(person_id: int) -> Account:
    return Account("operator", Purpose.FEES_PENDING, owner_id=person_id)


def commission_revenue() -> Account:
    return Account("platform", Purpose.COMMISSION)


def vat_payable() -> Account:
    return Account("platform", Purpose.VAT)


def refunds() -> Account:
    return Account("platform", Purpose.REFUNDS)


def payouts_in_transit() -> Account:
    return Account("platform", Purpose.PAYOUTS_IN_TRANSIT)


def loyalty_liability() -> Account:
    return Account("platform", Purpose.LOYALTY, currency=PTS)


def points_issued() -> Account:
    return Account("platform", Purpose.POINTS_ISSUED, currency=PTS)


def provider_clearing(provider: str) -> Account:
    return Account("provider", Purpose.CLEARING, provider=provider)


def provider_fees(provider: str) -> Account:
    return Account("provider", Purpose.FEES, provider=provider)


_UPSERT = text(
    """
    insert into ledger_accounts (code, owner_kind, owner_id, provider, purpose, currency)
    select * from unnest(cast(:codes as text[]), cast(:kinds as text[]),
                         cast(:owners as bigint[]), cast(:providers as text[]),
                         cast(:purposes as text[]), cast(:currencies as text[]))
    on conflict (code) do nothing
    """
)
_IDS = text("select code, id from ledger_accounts where code = any(cast(:codes as text[]))")


def account_ids(uow: UnitOfWork, accounts: Iterable[Account]) -> Mapping[Account, int]:
    """The row id of each account, made if it did not exist (safe when two transactions make
    the same account at once: the second waits for the first and then reads its row)."""
    wanted = sorted(set(accounts))
    codes = [a.code for a in wanted]
    found = _found(uow, codes)
    missing = [a for a in wanted if a.code not in found]
    if missing:
        uow.session.execute(
            _UPSERT,
            {
                "codes": [a.code for a in missing],
                "kinds": [a.owner_kind for a in missing],
                "owners": [a.owner_id for a in missing],
                "providers": [a.provider for a in missing],
                "purposes": [a.purpose.value for a in missing],
                "currencies": [a.currency for a in missing],
            },
        )
        found = _found(uow, codes)
    return {a: int(found[a.code]) for a in wanted}


def _found(uow: UnitOfWork, codes: list[str]) -> dict[str, int]:
    return {code: int(id_) for code, id_ in uow.session.execute(_IDS, {"codes": codes})}
