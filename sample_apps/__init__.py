"""Sample apps (Flask, Django, FastAPI/Starlette) and ``python -m sample_apps.demo``."""
