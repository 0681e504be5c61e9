"""A scripted phone for USSD tests: keeps Africa's Talking's cumulative `text` per session."""

from __future__ import annotations

import itertools

_ids = itertools.count(1)


class Phone:
    def __init__(self, client, number: str, token: str | None = None) -> None:
        self.client = client
        self.number = number
        self.token = token
        self.session = ""
        self.inputs: list[str] = []
        self.new_session()

    def new_session(self) -> None:
        self.session = f"ATUid_test_{next(_ids)}"
        self.inputs = []

    def post(self, text: str, session: str | None = None):
        url = "/webhooks/africastalking/ussd"
        if self.token:
            url += f"?token={self.token}"
        return self.client.post(
            url,
            data={
                "sessionId": session or self.session,
                "serviceCode": "*120*5372#",
                "phoneNumber": self.number,
                "networkCode": "62120",
                "text": text,
            },
        )

    def dial(self) -> str:
        self.new_session()
        return self.post("").get_data(as_text=True)

    def send(self, value: str) -> str:
        self.inputs.append(value)
        return self.post("*".join(self.inputs)).get_data(as_text=True)

    def run(self, steps: list[tuple[str | None, str]]) -> list[str]:
        """(input, expected fragment) pairs; None dials afresh. Returns the screens."""
        screens = []
        for value, expected in steps:
            screen = self.dial() if value is None else self.send(value)
            assert expected in screen, f"after {value!r} expected {expected!r} in:\n{screen}"
            screens.append(screen)
        return screens
