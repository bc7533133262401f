# Peace Exchange production image: python:3.11-slim, a non-root user, static files
# collected at build time, gunicorn with threaded workers, a health check on /healthz.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango; gettext compiles the catalogues; curl runs the health check.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        gettext curl postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system app && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=app:app . .
# collectstatic and compilemessages need settings but no database and no real secret.
RUN DJANGO_ENV=development python bin/compile_messages.py \
    && DJANGO_ENV=development STATICFILES_STORAGE=whitenoise.storage.CompressedManifestStaticFilesStorage \
       python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown -R app:app /app/media /app/staticfiles

USER app
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl --fail --silent --show-error -H "X-Forwarded-Proto: https" http://127.0.0.1:8000/healthz || exit 1

# gthread: each worker serves several requests at once (board polls are short and I/O bound).
CMD ["gunicorn", "peaceexchange.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--worker-class", "gthread", "--workers", "2", "--threads", "8", \
     "--timeout", "60", "--graceful-timeout", "30", \
     "--forwarded-allow-ips", "*", \
     "--access-logfile", "-", "--access-logformat", "%(m)s %(U)s %(s)s %(L)ss"]
