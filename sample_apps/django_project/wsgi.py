"""WSGI entry point: ``gunicorn sample_apps.django_project.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_apps.django_project.settings")
application = get_wsgi_application()
