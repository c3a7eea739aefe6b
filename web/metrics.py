"""GET /metrics: the Prometheus text of `services.metrics`, gauges read from the database at
scrape time."""

from __future__ import annotations

from aiohttp import web

from services import metrics
from web.app import WebDeps


def register(app: web.Application, deps: WebDeps) -> None:
    app.router.add_get("/metrics", metrics.metrics_handler(lambda: deps.runtime.engine))
