"""Flask sample app: CloudBase Auth v2 users in a Flask app (see README.md)."""
