"""Factories for staff tests: profiles, certificates, courses, training records, and hand-built jobs and clocks."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import factory

from accounts.choices import Role
from core.dates import local_moment
from core.tests.factories import CustomerFactory, UserFactory, VehicleFactory
from repairs.choices import FaultCategory, LineKind
from repairs.models import LabourClock, RepairOrder, RepairOrderLine
from staff.choices import CertificateKind, CourseCategory, CourseProvider, Position, TrainingResult
from staff.models import Certificate, StaffProfile, TrainingCourse, TrainingRecord

ROLE_OF = {
    Position.SERVICE_ADVISOR: Role.SERVICE_ADVISOR,
    Position.TECHNICIAN: Role.TECHNICIAN,
    Position.FOREMAN: Role.FOREMAN,
    Position.QC_INSPECTOR: Role.QC_INSPECTOR,
    Position.SERVICE_MANAGER: Role.SERVICE_MANAGER,
    Position.PARTS_CLERK: Role.PARTS_CLERK,
}


def at(day: date, hour: int = 10) -> datetime:
    return local_moment(day, time(hour))


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.LazyAttribute(lambda o: UserFactory(roles=[ROLE_OF.get(o.position, Role.TECHNICIAN)],
                                                       dealers=[o.dealer]))  # fmt: skip
    employee_number = factory.Sequence(lambda n: f"E{n:04d}")
    position = Position.TECHNICIAN
    hire_date = date(2020, 3, 1)


def person(dealer, position=Position.TECHNICIAN, **kwargs) -> StaffProfile:
    """A user of the position's role working for ``dealer``, with a staff profile there."""
    return StaffProfileFactory(dealer=dealer, position=position, **kwargs)


def certificate(profile, kind=CertificateKind.OEM_TECHNICIAN, issued_on=date(2020, 1, 1), expires_on=None, **kw):
    return Certificate.objects.create(
        profile=profile, kind=kind, number=kw.pop("number", f"C-{Certificate.objects.count() + 1:05d}"),
        issued_on=issued_on, expires_on=expires_on, **kw,
    )  # fmt: skip


def course(dealer, code="T01", hours="8") -> TrainingCourse:
    return TrainingCourse.objects.get_or_create(
        dealer=dealer, code=code,
        defaults={"title": f"课程{code}", "category": CourseCategory.REPAIR, "provider": CourseProvider.OEM,
                  "hours": Decimal(hours)},
    )[0]  # fmt: skip


def trained(profile, hours, day, result=TrainingResult.PASSED, code=None) -> TrainingRecord:
    return TrainingRecord.objects.create(
        profile=profile, course=course(profile.dealer, code or f"T{TrainingRecord.objects.count() + 1:03d}"),
        attended_on=day, hours=Decimal(str(hours)), result=result, created_by=profile.user,
    )  # fmt: skip


def order(dealer, advisor, *, arrived: datetime, delivered: datetime | None = None, promised=None, comeback_of=None,
          fault=FaultCategory.BRAKES, vehicle=None) -> RepairOrder:  # fmt: skip
    """A repair order written directly (only reads are tested with it); a comeback is of the original's vehicle."""
    if vehicle is None:
        vehicle = comeback_of.vehicle if comeback_of else VehicleFactory(owner=CustomerFactory(dealer=dealer))
    return RepairOrder.objects.create(
        dealer=dealer, number=f"T-{RepairOrder.objects.count() + 1:05d}", vehicle=vehicle, customer=vehicle.owner,
        advisor=advisor, customer_complaint="异响", arrived_at=arrived, promised_at=promised, delivered_at=delivered,
        comeback_of=comeback_of, fault_category=fault, status="delivered" if delivered else "in_repair",
    )  # fmt: skip


def job(ro: RepairOrder, technician, *, clocked: datetime | None = None) -> RepairOrderLine:
    """A labour line of ``ro`` done by ``technician``, clocked on at ``clocked`` (one hour)."""
    line = RepairOrderLine.objects.create(
        order=ro, kind=LineKind.LABOUR, description="更换刹车片", quantity=Decimal("1.0"),
        unit_price=Decimal("180"), technician=technician,
    )  # fmt: skip
    if clocked is not None:
        LabourClock.objects.create(line=line, technician=technician, started_at=clocked,
                                   ended_at=clocked + timedelta(hours=1))  # fmt: skip
    return line
