"""The platform a worker process runs its jobs with.

`kerbside worker` installs it at start; a job run in a process that has none (e.g. RQ's own
CLI) builds one from the environment on first use.
"""

from __future__ import annotations

from kerbside.bootstrap import Platform, bootstrap

_platform: Platform | None = None


def install(platform: Platform | None) -> None:
    global _platform
    _platform = platform


def current() -> Platform:
    global _platform
    if _platform is None:
        _platform = bootstrap()
    return _platform
