"""The embedded servers a fresh machine runs on: one Redis per var dir, stale holders forgotten."""

import json
import subprocess

import redis

from kerbside import embedded


def _servers_on(socket_path):
    found = subprocess.run(
        ["pgrep", "-f", f"unixsocket:{socket_path}"], capture_output=True, text=True
    )
    return found.stdout.split()


def test_a_second_process_joins_the_running_redis_instead_of_starting_another(tmp_path):
    first = embedded.start_redis(tmp_path)
    owner = embedded._handles.pop("redis")
    try:
        second = embedded.start_redis(tmp_path)
        assert second == first
        assert "redis" not in embedded._handles  # joined, so not ours to stop
        socket_path = first.removeprefix("unix://")
        assert len(_servers_on(socket_path)) == 1
        assert redis.Redis.from_url(second).ping()
    finally:
        owner.shutdown(nosave=True)


def test_killed_holders_of_the_embedded_postgres_are_forgotten(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    live = subprocess.Popen(["sleep", "30"])
    try:
        (tmp_path / ".handle_pids.json").write_text(json.dumps([dead.pid, live.pid]))
        embedded._forget_dead_holders(tmp_path)
        assert json.loads((tmp_path / ".handle_pids.json").read_text()) == [live.pid]
    finally:
        live.kill()
