# Gongdan production image: `docker build -t gongdan .`
# Configuration: mount a TOML file at /etc/gongdan/gongdan.toml and pass secrets as
# GONGDAN_* environment variables (they win over the file). See docs/DEPLOY.zh.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLCONFIGDIR=/var/lib/gongdan/.matplotlib \
    GONGDAN_HOST=0.0.0.0 \
    GONGDAN_PORT=8080

# Chinese names in the Gantt picture need a CJK font; tzdata for the factory's time zone.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk tzdata \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 10001 --home-dir /var/lib/gongdan --create-home --shell /usr/sbin/nologin gongdan

WORKDIR /opt/gongdan
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY core ./core
COPY storage ./storage
RUN pip install . && rm -rf /root/.cache

COPY deploy/gongdan.toml /etc/gongdan/gongdan.toml

USER gongdan
WORKDIR /var/lib/gongdan
# Build matplotlib's font list once, so the first digest does not pay for it.
RUN python -c "import matplotlib.font_manager as f; f.fontManager"
# SQLite deployments keep their database here (db_url in deploy/gongdan.toml).
VOLUME ["/var/lib/gongdan"]

EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('GONGDAN_PORT', '8080'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4).status == 200 else 1)"]

CMD ["gongdan", "serve", "--config", "/etc/gongdan/gongdan.toml"]
