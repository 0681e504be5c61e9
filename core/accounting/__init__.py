"""Booking money in the ledger: the postings booking and payment events make (docs/ledger.md).

The ledger (core/ledger) knows accounts and entries, not bookings; this area applies its rules
to bookings, so that booking and dispatch can read balances without the ledger depending on them.
"""
