"""Operations endpoints and start-up failures, through real HTTP and real processes."""

import os
import subprocess
import sys

import pytest
import redis

from kerbside.app import create_app
from kerbside.bootstrap import Platform
from tests.conftest import ROOT


def test_healthz_ok_when_database_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["X-Request-Id"]


def test_healthz_names_the_failing_part(platform):
    broken = Platform(
        platform.settings,
        platform.engine,
        redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2),
    )
    response = create_app(broken).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "fail", "failing": ["redis"]}


def test_metrics_are_prometheus_text(client):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert 'kerbside_http_requests_total{endpoint="healthz",status="200"}' in response.text


def test_request_id_is_passed_through(client):
    assert (
        client.get("/healthz", headers={"X-Request-Id": "abc123"}).headers["X-Request-Id"]
        == "abc123"
    )


@pytest.mark.parametrize(
    "env, setting",
    [
        ({"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/kerbside"}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:///kerbside.db"}, "DATABASE_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:1/0"}, "REDIS_URL"),
        ({"SMS_PROVIDER": "pigeon"}, "SMS_PROVIDER"),
    ],
)
def test_bad_configuration_stops_start_up_with_one_line(platform, env, setting):
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    base["DATABASE_URL"] = platform.settings.database_url
    base["REDIS_URL"] = platform.settings.redis_url
    base.update(env)
    result = subprocess.run(
        [sys.executable, "-m", "kerbside.cli", "db", "upgrade"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"kerbside: configuration error: {setting}")
    assert "Traceback" not in result.stderr
