import pytest
import requests

from channels.sms.unreachable import unreachable


@pytest.mark.parametrize(
    "error, maybe_sent",
    [
        (requests.ConnectionError("refused"), False),
        (requests.ConnectTimeout("no answer to SYN"), False),
        (requests.ReadTimeout("sent, no answer"), True),
        (requests.RequestException("other"), True),
    ],
)
def test_only_a_failure_to_connect_is_safe_to_send_again_elsewhere(error, maybe_sent):
    failure = unreachable("twilio", error)
    assert (failure.code, failure.maybe_sent, failure.permanent) == ("network", maybe_sent, False)
    assert str(failure).startswith("twilio unreachable: ")
