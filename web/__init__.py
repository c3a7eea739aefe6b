"""The one web server inside the bot process: the webhook, /healthz, and later the Mini App,
the API and metrics. `web.app.build_web_app` builds it; each feature module registers its own
routes."""
