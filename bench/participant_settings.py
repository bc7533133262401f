"""Settings for bench/participant.py: production-like serving, plus a bare baseline URL.

The baseline view lives only in ``bench/participant_urls.py``; production URLs never
contain it. Rate limits stay on (their cost is measured) but high enough not to refuse.
"""

from peaceexchange.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.participant_urls"
PARTICIPANT_SEND_RATE = "1000000/m"
PARTICIPANT_JOIN_FAILURE_RATE = "1000000/m"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
STATIC_ROOT = env.str("BENCH_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))  # noqa: F405
WHITENOISE_MAX_AGE = 31536000
LOGGING = {"version": 1, "disable_existing_loggers": True}
