"""API building blocks: tenant-scoped viewsets, permissions and error format."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.services import ConflictError


class ScopedModelPermissions(permissions.DjangoModelPermissions):
    """Django model permissions (from the role groups), including 'view' for reads."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


class DealerScopedViewSetMixin:
    """Every viewset of a dealer-owned model: rows of other dealers do not exist (404).

    Reads are scoped to the dealers the user may read; writes (PUT/PATCH/DELETE and
    actions) to the dealers the user may change, so a region manager's write attempt
    on a dealer they only read is a 404 too.
    """

    permission_classes = [permissions.IsAuthenticated, ScopedModelPermissions]

    def get_queryset(self):
        write = self.request.method not in permissions.SAFE_METHODS
        return self.queryset.all().for_user(self.request.user, write=write)


def django_validation_error_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    """Turn a domain ValidationError (from a service) into a DRF 400 with field messages."""
    if hasattr(exc, "error_dict"):
        detail = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        if "__all__" in detail:
            detail["non_field_errors"] = detail.pop("__all__")
        return exceptions.ValidationError(detail)
    return exceptions.ValidationError({"non_field_errors": [str(m) for m in exc.messages]})


def exception_handler(exc, context):
    """DRF exception handler that also understands the services' Django ValidationErrors."""
    if isinstance(exc, ConflictError):
        return Response({"non_field_errors": exc.messages, "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_error_to_drf(exc)
    return drf_exception_handler(exc, context)


class SignatureSerializerField(serializers.CharField):
    """A signature as a PNG data URL ("data:image/png;base64,…"), checked like the signature pad's."""

    def to_internal_value(self, data):
        from core.forms import SignatureField

        try:
            return SignatureField().clean(super().to_internal_value(data))
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.messages) from exc


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related record among those of the dealers the requesting user may change (another dealer's id reads as
    "does not exist", exactly like a wrong id).

    ``write=False`` accepts the dealers the user reads; ``scope(user)`` replaces ``model.objects.for_user`` (e.g. the
    people of the user's dealers); ``select_related`` loads what the service reads of the record.
    """

    def __init__(self, model, *, write: bool = True, scope=None, select_related: tuple[str, ...] = (), **kwargs):
        self.model, self.write, self.scope, self.select_related = model, write, scope, select_related
        kwargs.setdefault("queryset", model.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.model.objects.none()
        if self.scope is not None:
            records = self.scope(request.user)
        else:
            records = self.model.objects.for_user(request.user, write=self.write)
        return records.select_related(*self.select_related) if self.select_related else records
