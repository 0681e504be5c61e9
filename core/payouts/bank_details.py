"""Operator bank details as entered over USSD. Payouts are not built yet, so only the bank name
and a masked account number (last four digits) are kept: nothing here can move money."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UnitOfWork, id_column


class OperatorBankDetails(Base):
    __tablename__ = "operator_bank_details"

    id: Mapped[int] = id_column()
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    bank_name: Mapped[str] = mapped_column(String(40), nullable=False)
    account_masked: Mapped[str] = mapped_column(String(20), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(nullable=False)


@dataclass(frozen=True)
class BankDetailsView:
    bank_name: str
    account_masked: str


def mask_account(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    return "****" + digits[-4:]


def bank_details(uow: UnitOfWork, person_id: int) -> BankDetailsView | None:
    row = uow.session.execute(
        select(OperatorBankDetails.bank_name, OperatorBankDetails.account_masked).where(
            OperatorBankDetails.person_id == person_id
        )
    ).first()
    return BankDetailsView(row[0], row[1]) if row else None


def save_bank_details(uow: UnitOfWork, person_id: int, bank_name: str, account: str) -> None:
    """Stores the bank name and the masked account number only; replaces earlier details."""
    values = {
        "person_id": person_id,
        "bank_name": bank_name[:40],
        "account_masked": mask_account(account),
        "updated_at": uow.now(),
    }
    stmt = insert(OperatorBankDetails).values(**values)
    uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["person_id"],
            set_={k: stmt.excluded[k] for k in ("bank_name", "account_masked", "updated_at")},
        )
    )
