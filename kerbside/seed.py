"""Reference and demo data. Idempotent: running it twice changes nothing the second time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from core.accounts.model import Person
from core.booking import operators as ops
from core.db import UnitOfWork

from .bootstrap import Platform

# code, name, minutes, min cents, max cents
SERVICES = [
    ("exterior_wash", "Exterior wash", 45, 6_000, 20_000),
    ("full_valet", "Full valet", 120, 12_000, 60_000),
    ("interior_clean", "Interior clean", 60, 8_000, 35_000),
    ("laundry_pickup", "Laundry pick-up", 30, 5_000, 25_000),
]

# suburb, city, lat, lon (suburb centres; the operator's home point and service area centre)
SUBURBS = [
    ("Sandton", "Johannesburg", -26.1076, 28.0567),
    ("Rosebank", "Johannesburg", -26.1457, 28.0417),
    ("Randburg", "Johannesburg", -26.0936, 28.0064),
    ("Soweto", "Johannesburg", -26.2485, 27.8540),
    ("Fourways", "Johannesburg", -26.0167, 28.0125),
    ("Midrand", "Johannesburg", -25.9992, 28.1263),
    ("Melville", "Johannesburg", -26.1750, 28.0100),
    ("Bryanston", "Johannesburg", -26.0570, 28.0260),
    ("Alexandra", "Johannesburg", -26.1030, 28.0970),
    ("Bedfordview", "Johannesburg", -26.1790, 28.1360),
    ("Roodepoort", "Johannesburg", -26.1625, 27.8725),
    ("Kempton Park", "Johannesburg", -26.1000, 28.2333),
    ("Hatfield", "Pretoria", -25.7487, 28.2380),
    ("Centurion", "Pretoria", -25.8603, 28.1894),
    ("Menlyn", "Pretoria", -25.7825, 28.2753),
    ("Brooklyn", "Pretoria", -25.7700, 28.2370),
    ("Mamelodi", "Pretoria", -25.7100, 28.3600),
    ("Sunnyside", "Pretoria", -25.7520, 28.2080),
    ("Umhlanga", "Durban", -29.7256, 31.0849),
    ("Durban North", "Durban", -29.7900, 31.0300),
    ("Berea", "Durban", -29.8500, 31.0000),
    ("Westville", "Durban", -29.8310, 30.9300),
    ("Umlazi", "Durban", -29.9700, 30.8800),
    ("Morningside", "Durban", -29.8290, 31.0050),
    ("Sea Point", "Cape Town", -33.9150, 18.3860),
    ("Claremont", "Cape Town", -33.9800, 18.4650),
    ("Bellville", "Cape Town", -33.9000, 18.6300),
    ("Khayelitsha", "Cape Town", -34.0400, 18.6800),
    ("Gardens", "Cape Town", -33.9350, 18.4130),
    ("Durbanville", "Cape Town", -33.8320, 18.6470),
]

OPERATOR_NAMES = [
    "Thabo Mokoena", "Sipho Ndlovu", "Lerato Molefe", "Bongani Khumalo", "Naledi Dlamini",
    "Pieter van Wyk", "Ayanda Zulu", "Kagiso Sithole", "Zanele Mthembu", "Johan Botha",
    "Mpho Nkosi", "Lindiwe Mahlangu", "Tshepo Maseko", "Anele Cele", "Riaan Pretorius",
    "Nomsa Shabalala", "Themba Ngcobo", "Palesa Radebe", "Sbu Mkhize", "Zodwa Gumede",
    "Sandile Mthethwa", "Thandi Buthelezi", "Mandla Zungu", "Nokuthula Ntuli", "Lwazi Mbeki",
    "Anri Fourie", "Siyabonga Jacobs", "Busisiwe Mbatha", "Marius Steyn", "Yolanda Adams",
]  # fmt: skip

CONSUMERS = [
    ("+27825550101", "Nandi Khoza", "zu"),
    ("+27825550102", "Michael Naidoo", "en"),
    ("+27825550103", "Annelie du Toit", "af"),
    ("+27825550104", "Keabetswe Modise", "en"),
    ("+27825550105", "Rajesh Pillay", "en"),
    ("+27825550106", "Zinhle Majola", "zu"),
]

# The README's walk books as the first consumer and answers as the first operator; the first
# operator speaks English and serves Sandton, where the walk books (docs/decisions.md T12).
WALK_CONSUMER = "+27825550102"
WALK_OPERATOR = "+27725550000"
WALK_SUBURB = "Sandton"
LANGUAGES = ("en", "zu", "af")


@dataclass(frozen=True)
class DemoOperator:
    n: int
    phone: str
    name: str
    language: str
    suburb: str
    city: str
    lat: float
    lon: float

    @property
    def online(self) -> bool:
        return self.n % 7 != 6


@dataclass(frozen=True)
class DemoPerson:
    """One row of the demo people table (`kerbside seed --demo` prints it, README shows it)."""

    phone: str
    name: str
    role: str
    language: str
    suburb: str

    def cells(self) -> tuple[str, str, str, str, str]:
        return (self.phone, self.name, self.role, self.language, self.suburb)


def demo_operators() -> list[DemoOperator]:
    return [
        DemoOperator(n, f"+2772555{n:04d}", name, LANGUAGES[n % 3], suburb, city, lat, lon)
        for n, ((suburb, city, lat, lon), name) in enumerate(
            zip(SUBURBS, OPERATOR_NAMES, strict=True)
        )
    ]


def demo_people() -> list[DemoPerson]:
    consumers = [DemoPerson(phone, name, "consumer", language, "-")
                 for phone, name, language in CONSUMERS]  # fmt: skip
    operators = [
        DemoPerson(o.phone, o.name, "operator" if o.online else "operator, offline", o.language,
                   f"{o.suburb}, {o.city}")
        for o in demo_operators()
    ]  # fmt: skip
    return consumers + operators


HEADER = ("number", "name", "role", "language", "suburb")


def people_table(people: list[DemoPerson]) -> str:
    """A Markdown table, padded so that it also reads well in a terminal."""
    rows = [HEADER, *(p.cells() for p in people)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "| " + " | ".join("-" * w for w in widths) + " |"
    return "\n".join([line(HEADER), rule, *(line(r) for r in rows[1:])])


WEEKDAY_HOURS = (time(7, 0), time(18, 0))
SATURDAY_HOURS = (time(8, 0), time(15, 0))


def seed_reference(platform: Platform) -> dict[str, int]:
    uow = platform.uow()
    with uow:
        for code, name, minutes, low, high in SERVICES:
            ops.upsert_service(uow, code, name, minutes, low, high)
        uow.commit()
    return {"services": len(SERVICES)}


def _person(uow: UnitOfWork, phone: str, name: str, language: str, operator: bool) -> int:
    uow.session.execute(
        insert(Person)
        .values(phone=phone, name=name, language=language, is_consumer=not operator,
                is_operator=operator)
        .on_conflict_do_nothing(index_elements=["phone"])
    )  # fmt: skip
    person_id = uow.session.scalar(select(Person.id).where(Person.phone == phone))
    assert person_id is not None
    return person_id


def seed_demo(platform: Platform) -> dict[str, int]:
    """About 30 operators in Johannesburg, Pretoria, Durban and Cape Town suburbs, with services,
    prices inside the bands, hours (Mon-Fri 07-18, Sat 08-15), capacity, most of them online;
    and a handful of consumers."""
    seed_reference(platform)
    uow = platform.uow()
    with uow:
        for op in demo_operators():
            n, name = op.n, op.name
            person_id = _person(uow, op.phone, name, op.language, operator=True)
            ops.register_operator(
                uow, person_id, f"{name.split()[0]}'s {op.city} Wash", op.lat, op.lon,
                radius_km=12.0 + (n % 4) * 3, area=op.suburb,
                concurrent=1 + n % 2, daily=6 + n % 5,
            )  # fmt: skip
            for k, (code, _name, _minutes, low, high) in enumerate(SERVICES):
                if code == "laundry_pickup" and n % 3:
                    continue  # a third of operators also do laundry
                step = (high - low) // 10
                price = low + step * (2 + (n + k) % 5)
                ops.set_service_price(uow, person_id, code, price - price % 500,
                                      expertise=1 + (n + k) % 5)  # fmt: skip
            for weekday in range(5):
                ops.set_working_hours(uow, person_id, weekday, *WEEKDAY_HOURS)
            ops.set_working_hours(uow, person_id, 5, *SATURDAY_HOURS)
            ops.set_working_hours(uow, person_id, 6, *((time(9, 0), time(13, 0)) if n % 4 == 0
                                                     else (None, None)))  # fmt: skip
            ops.set_online(uow, person_id, op.online)
        for phone, name, language in CONSUMERS:
            _person(uow, phone, name, language, operator=False)
        uow.commit()
    return {"operators": len(SUBURBS), "consumers": len(CONSUMERS)}
