"""Technician efficiency and service economics (车间效率与经营): hours sold, clocked and attended, efficiency, productivity, effective labour rate, margins and revenue per repair order."""

from django.db import models  # noqa: F401
