"""Django integration of cloudbase_auth_mw.

Settings::

    INSTALLED_APPS += ["cloudbase_auth_mw.contrib.django"]          # system checks
    MIDDLEWARE += ["cloudbase_auth_mw.contrib.django.middleware.CloudBaseAuthMiddleware"]
    AUTHENTICATION_BACKENDS = [
        "cloudbase_auth_mw.contrib.django.backends.CloudBaseBackend",
        "django.contrib.auth.backends.ModelBackend",                 # admin passwords
    ]
    CLOUDBASE_AUTH = {"ENV_ID": "my-env-1a2b3c"}                     # keys case-insensitive

Modules: ``middleware`` (``CloudBaseAuthMiddleware``), ``backends`` (``CloudBaseBackend``),
``decorators`` (``cloudbase_login_required``, ``cloudbase_group_required``), ``mixins``
(``CloudBaseLoginRequiredMixin``), ``drf`` (``CloudBaseAuthentication``), ``conf``
(``get_guard``, ``set_guard``, ``override_guard``). Nothing is imported here, so that listing
the app in ``INSTALLED_APPS`` loads no model before Django is ready.
"""
