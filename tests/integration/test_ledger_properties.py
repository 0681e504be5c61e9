"""Property: whatever bookings, completions, cancellations and card movements happen, in any
order, every reconcile invariant holds after every step, and the ZAR ledger sums to zero."""

import contextlib
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from core.accounting import card
from core.booking import service as bookings
from core.errors import DomainError
from core.ledger.reconcile import reconcile
from tests.booking_helpers import SANDTON, TWO_PM, catalogue, consumer, operator

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "book",
                "book_card",
                "complete",
                "cancel",
                "no_show",
                "authorise",
                "capture",
                "void",
                "refund",
                "chargeback",
            ]
        ),  # fmt: skip
        st.integers(0, 7),
        st.integers(1, 16_000),
    ),
    min_size=1,
    max_size=14,
)


def _reset(platform):
    from kerbside.models import metadata

    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with platform.engine.begin() as conn:
        conn.execute(text(f"truncate {tables} restart identity cascade"))
    platform.redis.flushdb()
    platform.clock.set(TWO_PM - timedelta(hours=4))
    catalogue(platform)
    ops = [operator(platform, n, concurrent=8, daily=30) for n in (1, 2)]
    return ops, consumer(platform)


def _step(platform, state, action, pick, cents):
    who, live = state["consumer"], state["bookings"]
    uow = platform.uow()
    with uow:
        if action in ("book", "book_card"):
            start = TWO_PM + timedelta(minutes=30 * (len(live) % 8))
            view = bookings.request_booking(uow, who, "full_valet", *SANDTON, "Sandton", start,
                                            idempotency_key=f"k{len(live)}")  # fmt: skip
            op = uow.session.execute(
                text("select operator_id from offers where booking_id = :b and status = 'open'"),
                {"b": view.id},
            ).scalar()
            if op is not None:
                bookings.accept_offer(uow, op)
            if action == "book_card":
                uow.session.execute(text("update bookings set payment_method = 'card' "
                                         "where id = :id"), {"id": view.id})  # fmt: skip
            live.append({"id": view.id, "ref": view.ref, "op": op, "card": action == "book_card",
                         "auth": None})  # fmt: skip
            uow.commit()
            return
        if not live:
            return
        b = live[pick % len(live)]
        pay = {"provider": "paystack", "reference": f"T{b['id']}"}
        if action == "complete" and b["op"]:
            platform.clock.set(TWO_PM + timedelta(hours=5))
            bookings.complete_job(uow, b["op"], b["ref"])
            if b["card"]:
                card.post_card_completion(uow, b["id"])
        elif action == "cancel":
            platform.clock.set(TWO_PM - timedelta(minutes=20 * (pick % 4)))
            bookings.cancel_booking(uow, who, b["ref"])
        elif action == "no_show" and b["op"]:
            platform.clock.set(TWO_PM + timedelta(hours=5))
            bookings.mark_no_show(uow, b["op"], b["ref"])
        elif action == "authorise":
            card.authorise(uow, consumer_id=who, amount_cents=15_900, booking_id=b["id"], **pay)
        elif action == "capture":
            card.capture(uow, amount_cents=min(cents, 15_900), fee_cents=cents % 400, **pay)
        elif action == "void":
            card.void(uow, **pay)
        elif action in ("refund", "chargeback"):
            fn = card.refund if action == "refund" else card.chargeback
            fn(uow, booking_id=b["id"], provider="paystack",
               reference=f"{action}{b['id']}-{cents}", amount_cents=cents)  # fmt: skip
        uow.commit()


@pytest.mark.filterwarnings("ignore")
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(actions=ACTIONS)
def test_every_invariant_holds_after_every_step(platform, actions):
    ops, who = _reset(platform)
    state = {"consumer": who, "bookings": []}
    for action, pick, cents in actions:
        # A refusal (nothing left to refund, already resolved, wrong state) changes nothing.
        with contextlib.suppress(DomainError):
            _step(platform, state, action, pick, cents)
        with platform.uow() as uow:
            breaches = [str(b) for _, b in reconcile(uow) if b is not None]
        assert breaches == [], (action, breaches)
        with platform.engine.connect() as conn:
            total = conn.execute(text("select coalesce(sum(amount), 0) from ledger_lines "
                                      "where currency = 'ZAR'")).scalar()  # fmt: skip
        assert total == 0
