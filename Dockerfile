# Nhắc việc: the wheel on a slim Python, run as an unprivileged user.
#   docker build -t nhacviec .
#   docker compose up -d          (compose.yaml: the bot and PostgreSQL)
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY locales ./locales
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# postgresql-client: `nhacviec backup` runs pg_dump for a PostgreSQL database.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/nhacviec --shell /usr/sbin/nologin nhacviec
COPY --from=build /dist/*.whl /tmp/
RUN pip install /tmp/*.whl && rm /tmp/*.whl
USER nhacviec
WORKDIR /var/lib/nhacviec
# SQLite here unless NHACVIEC_DATABASE_URL says otherwise (compose.yaml: PostgreSQL).
ENV NHACVIEC_DATABASE_URL=sqlite+aiosqlite:////var/lib/nhacviec/nhacviec.db \
    NHACVIEC_WEBHOOK_HOST=0.0.0.0 \
    NHACVIEC_WEBHOOK_PORT=8080
VOLUME ["/var/lib/nhacviec"]
EXPOSE 8080
# Database reachable and migrated, tokens accepted (getMe): one line in `docker inspect` when not.
HEALTHCHECK --interval=60s --timeout=30s --start-period=30s --retries=3 CMD ["nhacviec", "health"]
CMD ["nhacviec", "run"]
