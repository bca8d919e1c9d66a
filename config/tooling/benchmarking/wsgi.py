"""The production WSGI app for the HTTP benchmark, minus the static-file manifest.

Production runs collectstatic before gunicorn (`make serve`); the benchmark only
fetches HTML pages, so it serves static files from the finders instead of writing
a manifest into the working tree. Everything else is config.wsgi as deployed.
"""

from __future__ import annotations

import os

from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from config.wsgi import application  # noqa: E402

__all__ = ["application"]
