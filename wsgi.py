"""WSGI entry point: `gunicorn wsgi:app`."""

from core.settings import Settings
from kerbside.app import create_app
from kerbside.logs import configure

_settings = Settings.from_env()
configure(_settings.log_level, _settings.log_json)
app = create_app()
