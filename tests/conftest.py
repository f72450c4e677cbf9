"""Shared test setup: the emulator fixtures (``emulator``, ``emulator_config``,
``emulator_factory``). Subfolders add their own conftest.py files."""

pytest_plugins = ["cloudbase_auth_mw.testing.pytest_plugin"]
