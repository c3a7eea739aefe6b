# ledgerbot: the bot image, built from the exact versions in requirements.lock.
# docker-compose.yml runs it with PostgreSQL; alone it runs on SQLite in /app/data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# Dependencies first: this layer changes only with requirements.lock (`make lock`).
COPY requirements.lock ./
RUN pip install --no-deps -r requirements.lock

COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY scheduler ./scheduler
COPY models ./models
COPY migrations ./migrations
COPY config ./config
COPY ledger ./ledger
COPY services ./services
COPY reports ./reports
COPY ledgerbot ./ledgerbot
COPY web ./web
COPY messages ./messages
RUN pip install --no-deps . \
    && useradd --create-home --uid 10001 ledgerbot \
    && mkdir -p /app/data && chown ledgerbot /app/data

USER ledgerbot
VOLUME ["/app/data"]
# The bot's web server (webhook, /healthz, /metrics); in a container it listens on all addresses.
ENV LEDGERBOT_WEB_LISTEN=0.0.0.0
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('LEDGERBOT_WEB_PORT', '8080') + '/healthz', timeout=4)"]
CMD ["sh", "-c", "ledgerbot db upgrade && exec ledgerbot run"]
