"""Framework adapters: thin glue between each web framework and ``CloudBaseGuard``."""
