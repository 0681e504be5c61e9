"""Dispatch: candidate search over the geo index (the `OperatorIndex` port in core/ports.py,
kept in step and rebuilt by `index_sync`), scoring (`candidates`, `distance`) and the offer
rows (`model`). It reads the operators table in plain SQL and imports nothing of booking;
the offer cascade that walks bookings (core/booking/cascade.py) uses it (decision W3)."""
