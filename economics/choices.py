"""Enumerations of the workshop economics: why a technician was not at work on a day."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AbsenceKind(models.TextChoices):
    """A day (or part of it) a technician was not available to the workshop (缺勤类型); no hours attended."""

    ANNUAL_LEAVE = "annual_leave", _("Annual leave")
    SICK_LEAVE = "sick_leave", _("Sick leave")
    PERSONAL_LEAVE = "personal_leave", _("Personal leave")
    TRAINING = "training", pgettext_lazy("absence", "Training off the workshop")
    DAY_OFF = "day_off", _("Day off (rota)")
