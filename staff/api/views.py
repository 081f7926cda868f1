"""API of the staff domain: profiles with certificates (read), training records and assessments (read, add)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from core.api import DealerScopedViewSetMixin
from staff import services
from staff.api import serializers as s
from staff.filtersets import AssessmentFilterSet, StaffProfileFilterSet, TrainingRecordFilterSet
from staff.models import Assessment, Certificate, StaffProfile, StaffSkill, TrainingRecord


class StaffProfileViewSet(DealerScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Staff profiles (员工档案) of the user's dealers, with their skills and certificates."""

    queryset = (
        StaffProfile.objects.select_related("user")
        .prefetch_related(
            Prefetch("certificates", queryset=Certificate.objects.order_by("kind", "-issued_on")),
            Prefetch("skills", queryset=StaffSkill.objects.order_by("area")),
        )
        .order_by("dealer_id", "employee_number", "id")
    )
    serializer_class = s.StaffProfileSerializer
    filterset_class = StaffProfileFilterSet


class TrainingRecordViewSet(DealerScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Training records (培训记录) of the user's dealers' staff; POST records an attendance."""

    queryset = TrainingRecord.objects.select_related("course").order_by("-attended_on", "-id")
    serializer_class = s.TrainingRecordSerializer
    filterset_class = TrainingRecordFilterSet

    @extend_schema(request=s.TrainingRecordCreateSerializer, responses={201: s.TrainingRecordSerializer})
    def create(self, request):
        data_in = s.TrainingRecordCreateSerializer(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        data = dict(data_in.validated_data)
        record = services.training_record_add(
            profile=data.pop("profile"), course=data.pop("course"), by=request.user, **data
        )
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)


class AssessmentViewSet(DealerScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Supervisor and peer assessments (上级评价/同事互评); POST records one (never of oneself)."""

    queryset = Assessment.objects.select_related("assessor").order_by("-year", "-quarter", "subject_id", "id")
    serializer_class = s.AssessmentSerializer
    filterset_class = AssessmentFilterSet

    @extend_schema(request=s.AssessmentCreateSerializer, responses={201: s.AssessmentSerializer})
    def create(self, request):
        data_in = s.AssessmentCreateSerializer(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        data = dict(data_in.validated_data)
        assessment = services.assessment_create(subject=data.pop("subject"), by=request.user, **data)
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)
