"""Enumerations of the staff domain: positions, skills, certificates, training results, assessments."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Position(models.TextChoices):
    """A person's job at a dealer (岗位); the values of the shared jobs equal the role codes."""

    SERVICE_ADVISOR = "service_advisor", _("Service advisor")
    TECHNICIAN = "technician", _("Technician")
    FOREMAN = "foreman", _("Workshop foreman")
    QC_INSPECTOR = "qc_inspector", _("QC inspector")
    PARTS_CLERK = "parts_clerk", _("Parts clerk")
    FOLLOWUP_SPECIALIST = "followup_specialist", _("Follow-up specialist")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    OTHER = "other", _("Other")


# The positions that have a personal scorecard, by the role they are measured in: the service advisor of the
# repair orders, or a technician of their lines (staff.selectors.scorecard).
SCORECARD_ROLES = {"advisor": (Position.SERVICE_ADVISOR,), "technician": (Position.TECHNICIAN, Position.FOREMAN)}


class SkillArea(models.TextChoices):
    """What a person is able to do (技能), recorded with a level."""

    ENGINE = "engine", _("Engine")
    TRANSMISSION = "transmission", _("Transmission")
    CHASSIS = "chassis", _("Brakes, suspension and steering")
    ELECTRICAL = "electrical", _("Electrical and electronics")
    EV_HIGH_VOLTAGE = "ev_high_voltage", _("EV / high-voltage systems")
    DIAGNOSTICS = "diagnostics", _("Diagnostics")
    BODY_PAINT = "body_paint", _("Body and paint")
    AIR_CONDITIONING = "air_conditioning", _("Air conditioning")
    RECEPTION = "reception", _("Reception and estimates")
    WARRANTY = "warranty", _("Warranty claims")
    PARTS = "parts", _("Parts and stock")
    CUSTOMER_CARE = "customer_care", _("Follow-up and complaint handling")


class SkillLevel(models.IntegerChoices):
    BASIC = 1, _("Basic")
    COMPETENT = 2, _("Competent")
    EXPERT = 3, _("Expert")
    TRAINER = 4, _("Trainer (teaches others)")


class CertificateKind(models.TextChoices):
    """A qualification document (资质证书) a person holds; technicians must hold one to work jobs."""

    OEM_TECHNICIAN = "oem_technician", _("OEM technician certification (厂家技师认证)")
    VEHICLE_REPAIR = "vehicle_repair", _("Vehicle repair vocational qualification (汽车维修工职业技能等级)")
    HV_ELECTRICIAN = "hv_electrician", _("Electrician licence for high-voltage work (特种作业操作证·电工)")
    QC_INSPECTOR = "qc_inspector", _("QC inspector qualification (质量检验员)")
    SERVICE_ADVISOR = "service_advisor", _("Service advisor certification (服务顾问认证)")
    OTHER = "other", _("Other")


# Either of these qualifies a technician to work jobs (持证上岗, KPI C4) ...
TECHNICIAN_QUALIFICATIONS = (CertificateKind.OEM_TECHNICIAN, CertificateKind.VEHICLE_REPAIR)
# ... and high-voltage work (jobs of the EV system) needs the electrician licence.
HIGH_VOLTAGE_QUALIFICATIONS = (CertificateKind.HV_ELECTRICIAN,)


class CertificateStatus(models.TextChoices):
    """Where a certificate (or a person's certificates) stand on a day."""

    VALID = "valid", _("Valid")
    EXPIRING = "expiring", _("Expires within 30 days")
    EXPIRED = "expired", _("Expired")
    NOT_YET_VALID = "not_yet_valid", _("Not yet valid")
    NONE = "none", _("No certificate")


CERTIFICATE_STATUS_COLOURS = {
    CertificateStatus.VALID: "green",
    CertificateStatus.EXPIRING: "orange",
    CertificateStatus.EXPIRED: "red",
    CertificateStatus.NOT_YET_VALID: "grey",
    CertificateStatus.NONE: "grey",
}


class CourseCategory(models.TextChoices):
    PRODUCT = "product", _("Product and technology")
    REPAIR = "repair", _("Repair technique")
    SAFETY = "safety", _("Safety (incl. high voltage)")
    PROCESS = "process", _("Service process and standards")
    SOFT_SKILLS = "soft_skills", _("Communication and customer care")
    ONBOARDING = "onboarding", _("Onboarding (上岗培训)")


class CourseProvider(models.TextChoices):
    OEM = "oem", _("Car maker (厂家)")
    INTERNAL = "internal", _("In-house")
    EXTERNAL = "external", _("External school")


class TrainingResult(models.TextChoices):
    """How a training ended; the hours of a failed course do not count towards the yearly requirement."""

    PASSED = "passed", _("Passed")
    ATTENDED = "attended", _("Attended (no exam)")
    FAILED = "failed", _("Failed")


COUNTED_RESULTS = (TrainingResult.PASSED, TrainingResult.ATTENDED)


class TrainingStatus(models.TextChoices):
    """Whether a person's training hours this year are on track for the yearly requirement (KPI C3)."""

    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind")


class AssessmentKind(models.TextChoices):
    SUPERVISOR = "supervisor", _("Supervisor assessment (上级评价)")
    PEER = "peer", _("Peer assessment (同事互评)")


# The rubric: each criterion scored 1 (poor) … 5 (excellent).
RUBRIC = (
    ("score_competence", _("Professional competence")),
    ("score_attitude", _("Service attitude")),
    ("score_process", _("Process compliance")),
    ("score_teamwork", _("Teamwork")),
    ("score_responsibility", _("Responsibility and discipline")),
)
