"""The notifications inbox (通知): events of the desk, the workshop, complaints and actions for the people who must act; the header badge and the pluggable messaging channel."""

from django.db import models  # noqa: F401
