"""Dispatch: candidate search over the geo index (`ports`, `redis_index`, `index_sync`),
scoring (`candidates`), the exclusive expiring offer cascade (`cascade`, `handlers`) and
"why did I not get this job" (`queries`)."""
