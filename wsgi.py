"""The WSGI entry point: ``gunicorn wsgi:app``."""

from config.app import create_app

app = create_app()
