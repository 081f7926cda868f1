"""Settings for a developer laptop (`make run` sets DEBUG=1): a fixed dev secret, SQLite by default."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-change-me"
SURVEY_PUBLIC_BASE_URL = SURVEY_PUBLIC_BASE_URL or "http://127.0.0.1:8000"
