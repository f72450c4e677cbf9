"""The app config: ``INSTALLED_APPS += ["cloudbase_auth_mw.contrib.django"]``."""

from __future__ import annotations

from django.apps import AppConfig


class CloudBaseAuthAppConfig(AppConfig):  # type: ignore[misc]
    """Registers the system checks (``manage.py check``) that name the setting to fix."""

    name = "cloudbase_auth_mw.contrib.django"
    label = "cloudbase_auth"
    verbose_name = "CloudBase Auth"

    def ready(self) -> None:
        from .checks import register_checks

        register_checks()
