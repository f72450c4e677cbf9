"""Sample FastAPI (Starlette) app protected by CloudBase Auth v2; see README.md."""
