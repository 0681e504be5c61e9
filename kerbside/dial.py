"""`kerbside dial`: a phone in the terminal for the USSD menus.

It speaks the Africa's Talking wire format to a running platform (`POST
/webhooks/africastalking/ussd`, form-encoded, cumulative `text`), prints each screen with its
length (182 characters is the limit) and reads the next input after a `> ` prompt. `CON` waits
for input; after `END`, Enter dials again. End of input (Ctrl-D, or the end of piped stdin) or
`:q` hangs up. Piped input is shown after the prompt, so that a transcript reads like a session
at the keyboard; typed input is not shown twice.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from typing import TextIO

from channels.ussd.render import LIMIT


class PlatformError(Exception):
    """The platform could not be reached or refused the request."""


def post_form(
    url: str, form: Mapping[str, str], headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> str:  # fmt: skip
    """POST a form as a provider would; the answer's body, or `PlatformError` in one line."""
    data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(url, data=data, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return str(response.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        said = err.read().decode("utf-8", "replace").strip().splitlines()
        detail = f": {said[0][:120]}" if said else ""
        raise PlatformError(f"the platform answered HTTP {err.code}{detail}") from None
    except urllib.error.URLError as err:
        raise PlatformError(f"cannot reach {url.split('?')[0]}: {err.reason}") from None
    except TimeoutError:
        raise PlatformError(f"no answer from {url.split('?')[0]} in {timeout:g} s") from None


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def run_dial(
    base_url: str,
    phone: str,
    service_code: str,
    token: str | None = None,
    stdin: TextIO | None = None,
    write: Callable[[str], None] = _write,
    post: Callable[[str, dict[str, str]], str] = post_form,
) -> int:
    """Walk the menus until stdin ends; returns how many sessions were dialled."""
    url = base_url.rstrip("/") + "/webhooks/africastalking/ussd"
    if token:
        url += "?" + urllib.parse.urlencode({"token": token})
    source = stdin or sys.stdin  # read at call time: a test runner may have replaced it
    typed = source.isatty()

    def ask(prompt: str) -> str | None:
        write(prompt)
        line = source.readline()
        if not line:
            write("\n")
            return None
        value = line.rstrip("\r\n")
        if not typed:
            write(value + "\n")  # the terminal showed nothing of piped input
        return None if value.strip() == ":q" else value

    sessions = 0
    while True:
        sessions += 1
        session_id = f"dial-{uuid.uuid4().hex[:12]}"
        inputs: list[str] = []
        write(f"--- dialling {service_code} as {phone} ---\n")
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
            write(f"{body}\n({len(reply)} of {LIMIT} characters)\n")
            if kind != "CON":
                write("--- session ended ---\n")
                if ask("Enter dials again, Ctrl-D hangs up: ") is None:
                    return sessions
                break
            value = ask("> ")
            if value is None:
                return sessions
            inputs.append(value)
