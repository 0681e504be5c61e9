"""The SMS channel: Twilio and Africa's Talking.

- `twilio.py`, `africastalking.py`: outbound gateways over the official SDKs, status maps
- `console.py`: the default gateway (records messages in the database)
- `gateways.py`, `ratelimit.py`: the configured gateways, each behind a Redis token bucket
- `webhooks.py`: the four provider webhooks (authenticate, parse, hand over, answer)
- `inbound.py`: idempotency, guards and routing of one inbound message (`guard.py`)
- `keywords.py`, `commands.py`, `texts.py`: keywords -> core operations -> replies
- `dialog.py`, `render.py`: the booking dialog (conversation engine) over SMS
"""
