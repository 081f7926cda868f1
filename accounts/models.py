"""Users, and which dealers or regions each user works for."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.choices import Role
from core.tenancy import DealerScopedQuerySet


class User(AbstractUser):
    """A person who logs in; roles are Django groups named after ``Role`` values."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def role_codes(self) -> set[str]:
        """The role codes (group names) this user has; cached on the instance."""
        if not hasattr(self, "_role_codes"):
            valid = set(Role.values)
            self._role_codes = {name for name in self.groups.values_list("name", flat=True) if name in valid}
        return self._role_codes

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(code).label) for code in Role.values if code in self.role_codes]

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.role_codes.intersection(roles))


class DealerMembership(models.Model):
    """A user works for a dealer: reads and (with the role's permissions) changes its data."""

    tenant_lookup = "dealer"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="dealer_memberships")
    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("dealer")
    )
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dealer assignment")
        verbose_name_plural = _("dealer assignments")
        constraints = [models.UniqueConstraint(fields=["user", "dealer"], name="uniq_dealer_membership")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.dealer}"


class RegionMembership(models.Model):
    """A group/OEM manager reads every dealer of a region (read-only)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="region_memberships")
    region = models.ForeignKey(
        "organization.Region", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("region")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("region assignment")
        verbose_name_plural = _("region assignments")
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="uniq_region_membership")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.region}"
