# ledgerbot: migrations, then the bot. Configure with LEDGERBOT_* environment variables.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

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
RUN pip install . && useradd --create-home --uid 10001 ledgerbot && mkdir -p /app/data \
    && chown ledgerbot /app/data

USER ledgerbot
VOLUME ["/app/data"]
# The one web server (webhook, /healthz): all interfaces inside the container, for the reverse
# proxy in front of it. LEDGERBOT_WEB_PORT=0 turns it off in polling mode.
ENV LEDGERBOT_WEB_LISTEN=0.0.0.0
EXPOSE 8080
CMD ["sh", "-c", "ledgerbot db upgrade && exec ledgerbot run"]
