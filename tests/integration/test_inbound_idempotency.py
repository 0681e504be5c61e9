"""Inbound idempotency is a core service every door uses (architecture.md 5 and 13, decision
W7): the first delivery of (scope, key) claims it and goes on; a retry gets the stored answer."""

from __future__ import annotations

from core.inbound.service import StoredAnswer, claim, record_answer

EMPTY = StoredAnswer(200, "text/plain", "")


def test_the_first_delivery_claims_and_a_retry_gets_the_stored_answer(platform) -> None:
    twiml = StoredAnswer(200, "text/xml", "<Response/>")
    with platform.uow() as uow:
        assert claim(uow, "twilio-sms", "SM1", twiml) is None
        uow.commit()
    with platform.uow() as uow:
        assert claim(uow, "twilio-sms", "SM1", EMPTY) == twiml
    with platform.uow() as uow:  # another door's id space: its own claim
        assert claim(uow, "paystack-event", "SM1", EMPTY) is None


def test_a_rolled_back_claim_leaves_the_retry_to_run(platform) -> None:
    with platform.uow() as uow:
        assert claim(uow, "api", "key-1", EMPTY) is None  # no commit: the work failed
    with platform.uow() as uow:
        assert claim(uow, "api", "key-1", EMPTY) is None
        uow.commit()


def test_an_answer_known_only_after_the_work_is_recorded_with_it(platform) -> None:
    created = StoredAnswer(201, "application/json", '{"ref": "K7Q4"}')
    with platform.uow() as uow:
        assert claim(uow, "api", "key-2") is None
        record_answer(uow, "api", "key-2", created)
        uow.commit()
    with platform.uow() as uow:
        assert claim(uow, "api", "key-2") == created


def test_a_key_with_a_control_character_or_too_long_is_stored_safely(platform) -> None:
    key = "SM\x00" + "9" * 300
    with platform.uow() as uow:
        assert claim(uow, "twilio-sms", key, EMPTY) is None
        uow.commit()
    with platform.uow() as uow:
        assert claim(uow, "twilio-sms", key, StoredAnswer(500, "x", "y")) == EMPTY
