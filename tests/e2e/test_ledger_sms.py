"""A cash job finished by SMS `DONE` posts to the ledger, and `EARN` reads it back."""

import pytest

from kerbside.app import create_app
from tests.booking_helpers import catalogue, operator
from tests.e2e.sms_support import Phones, at_sms, twilio_sms
from tests.e2e.test_sms_flow import CONSUMER, OPERATOR, _book_by_sms
from tests.ledger_helpers import balances


@pytest.fixture
def world(sms_platform, fake_twilio, fake_at):
    catalogue(sms_platform)
    op = operator(sms_platform, 1)
    client = create_app(sms_platform).test_client()
    return client, Phones(sms_platform, fake_twilio, fake_at), op


def test_done_by_sms_leaves_the_commission_owed_and_earn_reads_the_ledger(sms_platform, world):
    client, phones, op = world
    ref = _book_by_sms(client, phones)
    at_sms(client, OPERATOR, f"YES {ref}")
    assert balances(sms_platform) == {}
    at_sms(client, OPERATOR, f"DONE {ref}")
    assert balances(sms_platform) == {
        f"operator:{op}:receivable": 2385,  # R159 collected in cash, R23.85 of it ours
        "platform:commission": -2074,
        "platform:vat": -311,
    }
    phones.new(OPERATOR)
    at_sms(client, OPERATOR, "EARN")
    assert phones.new(OPERATOR) == [
        "Earnings: today R135.15 (jobs: 1), this week R135.15, this month R135.15."
    ]
    twilio_sms(client, CONSUMER, f"DONE {ref}")  # not theirs to finish: nothing more posts
    assert balances(sms_platform)[f"operator:{op}:receivable"] == 2385
