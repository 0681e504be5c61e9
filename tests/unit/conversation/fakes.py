"""A read facade with long, realistic answers: the worst case for screen length."""

from datetime import UTC, datetime, timedelta

from core.accounts.saved_places import PlaceView
from core.booking.views import BookingView as Booking
from core.booking.views import EarningsView as Earnings
from core.booking.views import OfferView as Offer
from core.booking.views import OperatorServiceView as OperatorService
from core.booking.views import ServiceView as Service
from core.booking.views import SlotView as Slot
from core.booking.views import VisitView as Visit
from core.geo.gazetteer import Area
from core.payouts.bank_details import BankDetailsView
from core.ports import PointsEntry

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
LONG_NAME = "Nomvuyiseko Mahlangu-Vilakazi"
LONG_PLACE = "Mitchells Plain Town Centre"
LONG_SERVICE = "Full valet and interior shampoo"


class LongReads:
    """Every list as long as a screen could meet, every name as long as life makes them."""

    def __init__(self, count: int = 9) -> None:
        self.count = count

    def services(self):
        return [
            Service(f"svc{i}", f"{LONG_SERVICE} {i}", 90, 1234550, 9999950)
            for i in range(self.count)
        ]

    def slots(self, service_code, lat, lon, day, operator_id=None, limit=5):
        base = NOW + timedelta(hours=1 if day is None else 2 + (day.day - NOW.day) * 24)
        return [
            Slot(base + timedelta(minutes=30 * i), base, 1234550, service_code, 7)
            for i in range(limit)
        ]

    def serves(self, service_code, lat, lon):
        return True

    def areas(self, query, limit=5):
        return [
            Area(f"{LONG_PLACE} {i}", "Cape Town Metropole", "Western Cape", -34.0, 18.6)
            for i in range(limit)
        ]

    def area(self, name):
        return Area(name, "Cape Town", "Western Cape", -34.0, 18.6)

    def saved_places(self):
        return [PlaceView(f"{LONG_PLACE} {i}", -34.0, 18.6) for i in range(5)]

    def saved_card(self):
        return (1, "4242")

    def _booking(self, i, operator=True):
        return Booking(
            i,
            f"K7Q{i}",
            "in_progress",
            "svc0",
            LONG_SERVICE,
            LONG_PLACE,
            NOW + timedelta(days=3, hours=i),
            1234550,
            999950,
            1,
            7 if operator else None,
            LONG_NAME if operator else None,
            120 if operator else None,
        )

    def bookings(self):
        return [self._booking(i) for i in range(self.count)]

    def cancellation_fee(self, ref):
        return 1234550

    def points_balance(self):
        return 1234567

    def points_history(self):
        return [PointsEntry(NOW, 123456, "Redeemed on booking K7Q4 at Sandton") for _ in range(6)]

    def operator_online(self):
        return False

    def offers(self):
        return [
            Offer(f"K7Q{i}", LONG_SERVICE, LONG_PLACE, NOW + timedelta(days=2), 999950, 124.56, NOW)
            for i in range(self.count)
        ]

    def jobs(self):
        return [self._booking(i) for i in range(self.count)]

    def upcoming_jobs(self):
        return [self._booking(i) for i in range(self.count)]

    def operator_services(self):
        return [
            OperatorService(f"svc{i}", LONG_SERVICE, 1234550, 1000000, 9999950)
            for i in range(self.count)
        ]

    def earnings(self):
        return Earnings(123456789, 123456789, 123456789, 999)

    def customer_history(self):
        return [Visit(LONG_NAME, LONG_SERVICE, NOW, 1234550) for _ in range(5)]

    def bank_details(self):
        return BankDetailsView("First National Bank", "****1234")

    def pin_locked_until(self):
        return NOW + timedelta(minutes=15)

    tries_left = 1  # the longest PIN prompt: the last try

    def pin_tries_left(self):
        return self.tries_left


LONG_DATA = {
    "service": "svc0",
    "service_name": LONG_SERVICE,
    "place": [LONG_PLACE, -34.0, 18.6],
    "matches": [[f"{LONG_PLACE} {i}", "Cape Town Metropole", -34.0, 18.6] for i in range(5)],
    "start": (NOW + timedelta(days=3)).isoformat(),
    "day": (NOW + timedelta(days=7)).date().isoformat(),  # a Wednesday: uLwesithathu
    "price": 1234550,
    "operator": 7,
    "payment": "subscription",
    "ref": "K7Q1",
    "job": "K7Q1",
    "error": "price_out_of_band",
    "concurrent": 3,
    "bank": "First National Bank",
    "home": "c.menu",
}
