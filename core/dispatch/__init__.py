"""Dispatch: candidate search over the geo index (the `OperatorIndex` port in core/ports.py,
rebuilt by `index_sync`), scoring (`candidates`), the exclusive expiring offer cascade
(`cascade`, `handlers`) and "why did I not get this job" (`queries`)."""
