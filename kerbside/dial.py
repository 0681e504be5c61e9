"""`kerbside dial`: a phone in the terminal for the USSD menus.

It speaks the Africa's Talking wire format to a running platform (`POST
/webhooks/africastalking/ussd`, form-encoded, cumulative `text`), prints each screen and reads
the next input from stdin. `CON` waits for input; after `END`, Enter dials again. End of input
(Ctrl-D, or the end of piped stdin) or `:q` hangs up.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from typing import TextIO


class DialError(Exception):
    pass


def post_hop(url: str, form: dict[str, str], timeout: float = 10.0) -> str:
    data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(url, data=data, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return str(response.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        raise DialError(f"the platform answered HTTP {err.code}") from None
    except urllib.error.URLError as err:
        raise DialError(f"cannot reach {url}: {err.reason}") from None


def run_dial(
    base_url: str,
    phone: str,
    service_code: str,
    token: str | None = None,
    stdin: TextIO = sys.stdin,
    out: Callable[[str], None] = print,
    post: Callable[[str, dict[str, str]], str] = post_hop,
) -> int:
    """Walk the menus until stdin ends; returns how many sessions were dialled."""
    url = base_url.rstrip("/") + "/webhooks/africastalking/ussd"
    if token:
        url += "?" + urllib.parse.urlencode({"token": token})
    sessions = 0
    while True:
        sessions += 1
        session_id = f"dial-{uuid.uuid4().hex[:12]}"
        inputs: list[str] = []
        out(f"--- dialling {service_code} as {phone} ---")
        while True:
            form = {
                "sessionId": session_id,
                "serviceCode": service_code,
                "phoneNumber": phone,
                "networkCode": "62120",
                "text": "*".join(inputs),
            }
            reply = post(url, form)
            kind, _, body = reply.partition(" ")
            out(body)
            if kind != "CON":
                out("--- session ended (Enter dials again, Ctrl-D hangs up) ---")
                line = stdin.readline()
                if not line or line.strip() == ":q":
                    return sessions
                break
            line = stdin.readline()
            if not line or line.strip() == ":q":
                return sessions
            value = line.rstrip("\r\n")
            out(f"> {value}")
            inputs.append(value)
