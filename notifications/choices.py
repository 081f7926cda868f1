"""The events a notification tells of (one per place in the domains where it happens)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    """What happened, for whom: the advisor, the foremen, the owner of a complaint or an improvement action."""

    ADDITION_RAISED = "addition_raised", _("Additional item raised")
    QC_PASSED = "qc_passed", _("QC passed")
    ORDER_APPROVED = "order_approved", _("Repair order approved")
    COMPLAINT_ASSIGNED = "complaint_assigned", _("Complaint assigned")
    COMPLAINT_DEADLINE = "complaint_deadline", _("Complaint deadline approaching")
    ACTION_ASSIGNED = "action_assigned", _("Improvement action assigned")
    ACTION_DUE = "action_due", _("Improvement action due")
