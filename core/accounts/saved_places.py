"""Places a person saved ("Home", a suburb) so that booking again skips typing the area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UnitOfWork, created_column, id_column


class SavedPlace(Base):
    __tablename__ = "saved_places"
    __table_args__ = (UniqueConstraint("person_id", "name"),)

    id: Mapped[int] = id_column()
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    created_at: Mapped[datetime] = created_column()


@dataclass(frozen=True)
class PlaceView:
    name: str
    lat: float
    lon: float


def saved_places(uow: UnitOfWork, person_id: int, limit: int = 5) -> list[PlaceView]:
    rows = uow.session.execute(
        select(SavedPlace.name, SavedPlace.lat, SavedPlace.lon)
        .where(SavedPlace.person_id == person_id)
        .order_by(SavedPlace.id)
        .limit(limit)
    ).all()
    return [PlaceView(name, lat, lon) for name, lat, lon in rows]


def save_place(uow: UnitOfWork, person_id: int, name: str, lat: float, lon: float) -> None:
    """Idempotent: saving the same name twice keeps the first."""
    uow.session.execute(
        insert(SavedPlace)
        .values(person_id=person_id, name=name[:80], lat=lat, lon=lon)
        .on_conflict_do_nothing(index_elements=["person_id", "name"])
    )
