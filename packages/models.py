"""Service packages and labour menus (保养套餐): labour operations, parts and sundries per brand/model and mileage interval, added to an estimate in one click."""

from django.db import models  # noqa: F401
