"""Demo staff: profiles for every dealer user, certificates (some expiring, some expired), training, assessments.

The dealers' quality tiers follow repairs.demo.PROFILES (dealer 1 good, 2 middling, 3 weak, then again):
weaker dealers train less (lower C3), let more technician certificates lapse and give fewer technicians the
high-voltage licence although EV jobs come to every dealer (lower C4), and score lower in assessments.
Everything is dated on or before the end of the demo period.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from accounts.choices import Role
from accounts.models import DealerMembership
from core.demo import DemoContext
from repairs.demo import PROFILES
from staff.choices import (
    AssessmentKind,
    CertificateKind,
    CourseCategory,
    CourseProvider,
    Position,
    SkillArea,
    TrainingResult,
)
from staff.models import Assessment, Certificate, StaffProfile, StaffSkill, TrainingCourse, TrainingRecord
from staff.rules import default_yearly_hours, required_hours_to_date
from staff.services import certificate_expiry_tasks

COURSES = [
    ("OEM-P01", "新车型产品与技术培训", CourseCategory.PRODUCT, CourseProvider.OEM, "8"),
    ("HV-S01", "新能源高压安全作业", CourseCategory.SAFETY, CourseProvider.OEM, "16"),
    ("RT-101", "发动机电控系统诊断", CourseCategory.REPAIR, CourseProvider.OEM, "12"),
    ("SP-01", "售后服务流程与接待规范", CourseCategory.PROCESS, CourseProvider.INTERNAL, "4"),
    ("CC-01", "客户沟通与投诉处理技巧", CourseCategory.SOFT_SKILLS, CourseProvider.EXTERNAL, "6"),
    ("ON-01", "新员工上岗培训", CourseCategory.ONBOARDING, CourseProvider.INTERNAL, "8"),
]
COURSES_FOR = {
    Position.TECHNICIAN: ["OEM-P01", "HV-S01", "RT-101", "SP-01"],
    Position.FOREMAN: ["OEM-P01", "HV-S01", "RT-101", "SP-01"],
    Position.QC_INSPECTOR: ["OEM-P01", "RT-101", "SP-01"],
    Position.SERVICE_ADVISOR: ["OEM-P01", "SP-01", "CC-01"],
}
DEFAULT_COURSES = ["SP-01", "CC-01"]
SKILLS = {
    Position.TECHNICIAN: [SkillArea.ENGINE, SkillArea.CHASSIS, SkillArea.ELECTRICAL, SkillArea.EV_HIGH_VOLTAGE,
                          SkillArea.AIR_CONDITIONING],
    Position.FOREMAN: [SkillArea.DIAGNOSTICS, SkillArea.ENGINE, SkillArea.TRANSMISSION],
    Position.QC_INSPECTOR: [SkillArea.DIAGNOSTICS, SkillArea.CHASSIS],
    Position.SERVICE_ADVISOR: [SkillArea.RECEPTION, SkillArea.WARRANTY],
    Position.PARTS_CLERK: [SkillArea.PARTS],
    Position.FOLLOWUP_SPECIALIST: [SkillArea.CUSTOMER_CARE],
    Position.SERVICE_MANAGER: [SkillArea.RECEPTION, SkillArea.CUSTOMER_CARE],
}  # fmt: skip
# Per quality tier: (training hours as a share of what is due, low/high), the share of technicians whose
# certificate lapsed during the demo period, the share holding the high-voltage licence, assessment mean.
TIERS = [((1.0, 1.6), 0.0, 1.0, 4.3), ((0.75, 1.3), 0.25, 0.5, 3.8), ((0.4, 1.1), 0.5, 0.25, 3.2)]


def _position(user) -> str:
    codes = user.role_codes
    for position in Position.values:
        if position in codes:
            return position
    return Position.OTHER


def create_staff(ctx: DemoContext) -> None:
    """Profiles, skills, certificates, courses, training records and assessments for every demo dealer."""
    rng = ctx.rng
    today = min(ctx.latest.date(), ctx.until)
    totals = {"profiles": 0, "records": 0, "certificates": 0, "assessments": 0}
    for index, dealer in enumerate(ctx.dealers, start=1):
        tier_index = (index - 1) % len(PROFILES)
        hours_share, lapse_share, hv_share, mean_score = TIERS[tier_index]
        users = sorted(
            (m.user for m in DealerMembership.objects.filter(dealer=dealer).select_related("user")),
            key=lambda u: u.username,
        )
        manager = next((u for u in users if u.has_role(Role.SERVICE_MANAGER)), None)
        foreman = next((u for u in users if u.has_role(Role.FOREMAN)), None)
        profiles = []
        for n, user in enumerate(users, start=1):
            position = _position(user)
            if position == Position.OTHER:
                continue
            new_hire = n % 9 == 0  # a few joined during the demo period
            hire = ctx.random_day(ctx.since, today) if new_hire else date(rng.randint(2012, 2023), rng.randint(1, 12),
                                                                          rng.randint(1, 28))  # fmt: skip
            supervisor = foreman if position == Position.TECHNICIAN else manager
            profiles.append(StaffProfile(
                dealer=dealer, user=user, employee_number=f"{dealer.code}-{n:03d}", position=position, hire_date=hire,
                supervisor=supervisor if supervisor and supervisor != user else None,
            ))  # fmt: skip
        profiles = bulk_create_with_history(profiles, StaffProfile, default_user=ctx.admin)
        profiles = list(StaffProfile.objects.filter(dealer=dealer).select_related("user").order_by("employee_number"))
        totals["profiles"] += len(profiles)

        skills = []
        for profile in profiles:
            areas = SKILLS.get(profile.position, [])
            for area in rng.sample(areas, k=min(len(areas), rng.randint(1, 3))):
                skills.append(StaffSkill(profile=profile, area=area, level=rng.randint(1, 4)))
        StaffSkill.objects.bulk_create(skills)

        courses = {
            code: course
            for code, course in zip(
                [c[0] for c in COURSES],
                TrainingCourse.objects.bulk_create(
                    TrainingCourse(
                        dealer=dealer,
                        code=code,
                        title=title,
                        category=category,
                        provider=provider,
                        hours=Decimal(hours),
                    )
                    for code, title, category, provider, hours in COURSES
                ),
                strict=True,
            )
        }
        totals["records"] += _training(ctx, profiles, courses, hours_share, today)
        totals["certificates"] += _certificates(ctx, profiles, lapse_share, hv_share, today)
        totals["assessments"] += _assessments(ctx, profiles, manager, mean_score, today)
    certificate_expiry_tasks(today=today, dealer_ids=[d.pk for d in ctx.dealers], by=ctx.admin)
    ctx.say(
        f"  {totals['profiles']} staff profiles, {totals['certificates']} certificates, "
        f"{totals['records']} training records, {totals['assessments']} assessments"
    )


def _training(ctx, profiles, courses, hours_share, today: date) -> int:
    """This year's and last year's courses: hours around ``hours_share`` of what is due."""
    rng = ctx.rng
    records = []
    for profile in profiles:
        yearly = default_yearly_hours(profile.position)
        for year_end in (date(today.year - 1, 12, 31), today):
            if profile.hire_date > year_end:
                continue
            target = float(required_hours_to_date(yearly, profile.hire_date, year_end)) * rng.uniform(*hours_share)
            start = max(date(year_end.year, 1, 1), profile.hire_date)
            done, used = 0.0, set()
            plan = COURSES_FOR.get(profile.position, DEFAULT_COURSES)
            if profile.hire_date >= start:  # hired this year: onboarding first
                plan = ["ON-01", *plan]
            for attempt in range(12):
                if done >= target:
                    break
                code = plan[attempt % len(plan)]
                day = start + timedelta(days=rng.randint(0, max(0, (year_end - start).days)))
                if (code, day) in used:
                    continue
                used.add((code, day))
                course = courses[code]
                failed = rng.random() < 0.05
                records.append(TrainingRecord(
                    profile=profile, course=course, attended_on=day, hours=course.hours,
                    result=TrainingResult.FAILED if failed else rng.choice([TrainingResult.PASSED,
                                                                             TrainingResult.ATTENDED]),
                    score=rng.randint(45, 59) if failed else rng.randint(65, 98), created_by=ctx.admin,
                ))  # fmt: skip
                if not failed:
                    done += float(course.hours)
    bulk_create_with_history(records, TrainingRecord, default_user=ctx.admin, batch_size=500)
    return len(records)


def _certificates(ctx, profiles, lapse_share, hv_share, today: date) -> int:
    """Technician qualifications (some lapsing in the period, a few about to expire), HV licences, QC and advisor."""
    rng = ctx.rng
    certificates = []

    def add(profile, kind, issued: date, expires: date | None, level=""):
        issued = min(issued, today)
        if expires is not None and expires < issued:
            expires = issued + timedelta(days=30)
        certificates.append(Certificate(
            profile=profile, kind=kind, level=level, number=f"{kind[:3].upper()}-{profile.employee_number}-{issued:%y}",
            issuer={"hv_electrician": "应急管理局"}.get(kind, "厂家培训中心"), issued_on=issued, expires_on=expires,
        ))  # fmt: skip

    workshop = [p for p in profiles if p.position in (Position.TECHNICIAN, Position.FOREMAN)]
    lapsing = set(rng.sample(range(len(workshop)), k=round(lapse_share * len(workshop))))
    licensed = set(rng.sample(range(len(workshop)), k=max(1, round(hv_share * len(workshop)))))
    for i, profile in enumerate(workshop):
        issued = max(profile.hire_date, today - timedelta(days=rng.randint(400, 1400)))
        if i in lapsing:  # lapsed during the demo period and not renewed (C4 drops from then on)
            expires = ctx.random_day(ctx.since + (today - ctx.since) / 3, today - timedelta(days=1))
        elif i == 0:  # about to expire: a to-do for the service manager
            expires = today + timedelta(days=rng.randint(5, 25))
        else:
            expires = today + timedelta(days=rng.randint(200, 900))
        add(profile, CertificateKind.OEM_TECHNICIAN, issued, expires, level=rng.choice(["初级", "中级", "高级"]))
        if i in licensed:
            add(profile, CertificateKind.HV_ELECTRICIAN, issued, issued + timedelta(days=6 * 365))
    for profile in profiles:
        if profile.position == Position.QC_INSPECTOR:
            add(profile, CertificateKind.QC_INSPECTOR, today - timedelta(days=rng.randint(100, 900)), None)
        elif profile.position == Position.SERVICE_ADVISOR:
            issued = today - timedelta(days=rng.randint(300, 1000))
            add(profile, CertificateKind.SERVICE_ADVISOR, issued, issued + timedelta(days=3 * 365))
    bulk_create_with_history(certificates, Certificate, default_user=ctx.admin)
    return len(certificates)


def _assessments(ctx, profiles, manager, mean_score: float, today: date) -> int:
    """For each started quarter of the demo period: the manager's assessment of everyone and two peers' each."""
    rng = ctx.rng
    quarters, day = [], ctx.since
    while day <= today:
        quarter = (day.year, (day.month - 1) // 3 + 1)
        if quarter not in quarters:
            quarters.append(quarter)
        day += timedelta(days=28)
    rows = []

    def score() -> int:
        return max(1, min(5, round(rng.gauss(mean_score, 0.7))))

    for year, quarter in quarters[-4:]:
        for profile in profiles:
            assessors = []
            if manager is not None and manager != profile.user:
                assessors.append((manager, AssessmentKind.SUPERVISOR))
            peers = [p.user for p in profiles if p.user != profile.user and p.user != manager]
            assessors += [(peer, AssessmentKind.PEER) for peer in rng.sample(peers, k=min(2, len(peers)))]
            for assessor, kind in assessors:
                rows.append(Assessment(
                    dealer_id=profile.dealer_id, subject=profile, assessor=assessor, kind=kind, year=year,
                    quarter=quarter, score_competence=score(), score_attitude=score(), score_process=score(),
                    score_teamwork=score(), score_responsibility=score(),
                    comment=rng.choice(["", "", "工作认真负责", "沟通需加强", "技术过硬"]),
                ))  # fmt: skip
    bulk_create_with_history(rows, Assessment, default_user=ctx.admin, batch_size=500)
    return len(rows)
