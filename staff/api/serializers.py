"""API representations of staff profiles (with certificates), training records and assessments."""

from decimal import Decimal

from rest_framework import serializers

from core.api import ScopedPrimaryKeyField
from staff.choices import AssessmentKind, TrainingResult
from staff.models import Assessment, Certificate, StaffProfile, StaffSkill, TrainingCourse, TrainingRecord


class CertificateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Certificate
        fields = ["id", "kind", "level", "number", "issuer", "issued_on", "expires_on"]
        read_only_fields = fields


class SkillSerializer(serializers.ModelSerializer):
    class Meta:
        model = StaffSkill
        fields = ["area", "level"]
        read_only_fields = fields


class StaffProfileSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.__str__", read_only=True)
    certificates = CertificateSerializer(many=True, read_only=True)
    skills = SkillSerializer(many=True, read_only=True)

    class Meta:
        model = StaffProfile
        fields = ["id", "dealer", "user", "username", "name", "employee_number", "position", "hire_date",
                  "leave_date", "supervisor", "skills", "certificates", "version"]  # fmt: skip
        read_only_fields = fields


class TrainingRecordSerializer(serializers.ModelSerializer):
    course_code = serializers.CharField(source="course.code", read_only=True)
    course_title = serializers.CharField(source="course.title", read_only=True)

    class Meta:
        model = TrainingRecord
        fields = ["id", "profile", "course", "course_code", "course_title", "attended_on", "hours", "result",
                  "score", "notes", "created_at", "version"]  # fmt: skip
        read_only_fields = fields


class TrainingRecordCreateSerializer(serializers.Serializer):
    """Input of a training record: the person's profile and a course of the same dealer."""

    profile = ScopedPrimaryKeyField(StaffProfile)
    course = ScopedPrimaryKeyField(TrainingCourse)
    attended_on = serializers.DateField()
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=Decimal("0.5"), required=False)
    result = serializers.ChoiceField(choices=TrainingResult.choices)
    score = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True)
    notes = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AssessmentSerializer(serializers.ModelSerializer):
    assessor = serializers.StringRelatedField()
    average = serializers.DecimalField(max_digits=4, decimal_places=2, read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "dealer", "subject", "assessor", "kind", "year", "quarter", "score_competence",
                  "score_attitude", "score_process", "score_teamwork", "score_responsibility", "average", "comment",
                  "created_at"]  # fmt: skip
        read_only_fields = fields


class AssessmentCreateSerializer(serializers.Serializer):
    subject = ScopedPrimaryKeyField(StaffProfile)
    kind = serializers.ChoiceField(choices=AssessmentKind.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    score_competence = serializers.IntegerField(min_value=1, max_value=5)
    score_attitude = serializers.IntegerField(min_value=1, max_value=5)
    score_process = serializers.IntegerField(min_value=1, max_value=5)
    score_teamwork = serializers.IntegerField(min_value=1, max_value=5)
    score_responsibility = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
