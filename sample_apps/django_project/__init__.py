"""A Django project whose users are CloudBase Auth v2 users (see README.md)."""
