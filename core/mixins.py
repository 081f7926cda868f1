"""Class-based view mixins."""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db import models
from django.http import Http404


class DealerScopedObjectMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Class-based view mixin: the queryset is the user's dealers' rows; others are 404.

    ``write_scope`` views (create/edit) use only the dealers the user may change.
    Django model permissions (from the role groups) decide *what* a user may do;
    this mixin decides *where*.
    """

    model: type[models.Model]
    write_scope = False

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user, write=self.write_scope)

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise Http404
        return super().handle_no_permission()
