"""The one root of every refusal the core makes (architecture.md 13).

A `DomainError` means "the rules say no" (slot taken, offer gone, wrong PIN format): the
caller's change is undone and the person is told why, in a short translated reply keyed by
`code`. It is the only exception a channel turns into a refusal. Anything else (a database
error, a bug) is a fault: the channel logs it once, with its type, and answers with the
apology. Third-party errors may carry a `code` of their own (SQLAlchemy's do), so channels
test the class, never the attribute.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"
