# Innspill: production image. Build: docker build -t innspill .
FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt .
RUN python -m venv /venv && /venv/bin/pip install -r requirements.txt

FROM python:3.12-slim
ENV PATH="/venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_DEBUG=false \
    PORT=8000
# WeasyPrint (the PDF copies of each edition) needs Pango, HarfBuzz's subsetter and a font.
# Not pinned to exact versions: Debian stable only ships security fixes to these, and a
# pinned version disappears from the mirror when one is released.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --uid 10001 innspill
WORKDIR /app
COPY --from=build /venv /venv
COPY --chown=innspill:innspill . .
# Static files are collected and compressed at build time; a throwaway key and host
# let settings load, the real ones come from the environment at run time.
RUN DJANGO_SECRET_KEY=build-only-not-secret-$(date +%s)-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx \
    DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --no-input --verbosity 0 \
    && mkdir -p /app/media && chown innspill:innspill /app/media
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=4)"]
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
