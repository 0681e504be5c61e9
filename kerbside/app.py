"""The Flask app: a flat list of init calls and one blueprint per channel."""

from __future__ import annotations

import time
import uuid

from flask import Flask, Response, g, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import text

from .bootstrap import Platform, bootstrap
from .logs import request_id

REQUESTS = Counter("kerbside_http_requests_total", "HTTP requests", ["endpoint", "status"])
LATENCY = Histogram("kerbside_http_request_seconds", "HTTP request latency", ["endpoint"])


def create_app(platform: Platform | None = None) -> Flask:
    app = Flask("kerbside")
    platform = platform or bootstrap()
    app.extensions["kerbside"] = platform
    init_request_ids(app)
    init_operations(app, platform)
    register_channels(app, platform)
    return app


def platform_of(app: Flask) -> Platform:
    return app.extensions["kerbside"]


def register_channels(app: Flask, platform: Platform) -> None:
    """Each channel registers its blueprint here as it arrives, handed the platform."""
    from channels.sms import webhooks as sms_webhooks

    sms_webhooks.init_app(app, platform)
    from channels.ussd import africastalking as ussd

    app.register_blueprint(ussd.blueprint(platform))
    from channels.payments import paystack, stripe  # noqa: F401 - their webhooks join the blueprint
    from channels.payments.webhooks import blueprint as payments_blueprint

    app.register_blueprint(payments_blueprint)


def init_request_ids(app: Flask) -> None:
    @app.before_request
    def start() -> None:
        rid = request.headers.get("X-Request-Id") or uuid.uuid4().hex[:16]
        g.request_id, g.started = rid[:64], time.perf_counter()
        g.request_id_token = request_id.set(g.request_id)

    @app.after_request
    def finish(response: Response) -> Response:
        endpoint = request.endpoint or "unknown"
        LATENCY.labels(endpoint).observe(
            time.perf_counter() - g.get("started", time.perf_counter())
        )
        REQUESTS.labels(endpoint, str(response.status_code)).inc()
        response.headers["X-Request-Id"] = g.get("request_id", "")
        return response

    @app.teardown_request
    def reset(_exc: BaseException | None) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            request_id.reset(token)


def init_operations(app: Flask, platform: Platform) -> None:
    @app.get("/healthz")
    def healthz() -> tuple[Response, int]:
        failing = []
        try:
            with platform.engine.connect() as conn:
                conn.execute(text("select 1"))
        except Exception:  # noqa: BLE001 - any failure means "not healthy"
            failing.append("database")
        try:
            platform.redis.ping()
        except Exception:  # noqa: BLE001
            failing.append("redis")
        if failing:
            return jsonify(status="fail", failing=failing), 503
        return jsonify(status="ok"), 200

    @app.get("/metrics")
    def metrics() -> Response:
        # Under gunicorn each worker counts for itself; with PROMETHEUS_MULTIPROC_DIR set (as
        # `kerbside up` does) the figures of all workers are added up.
        if platform.settings.metrics_dir:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)
