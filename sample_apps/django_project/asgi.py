"""ASGI entry point: ``uvicorn sample_apps.django_project.asgi:application``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_apps.django_project.settings")
application = get_asgi_application()
