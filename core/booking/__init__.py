"""Bookings: catalogue and operators' businesses (`operators`), availability and quotes
(`availability`), the lifecycle state machine (`lifecycle`), DB-enforced capacity (`capacity`),
recurring series (`recurring`), SMS texts (`messages`). Channels call `service` (the API)."""
