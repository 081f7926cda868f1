"""Staff pages by role: list, profile (own only for staff), forms, reports, export; other dealers are 404."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.navigation import nav_for
from core.tests.helpers import login, sh
from staff.choices import AssessmentKind, CertificateKind, Position, TrainingResult
from staff.models import Assessment, Certificate, StaffProfile, TrainingRecord
from staff.tests.factories import certificate, course, person, trained

pytestmark = pytest.mark.django_db
LIST = reverse("staff:staff_list")
CERT = {"kind": CertificateKind.OEM_TECHNICIAN, "number": "X", "issued_on": "2024-01-01"}
PAGES = [LIST, reverse("staff:training_report"), reverse("staff:certificate_list"), reverse("staff:scorecard"),
         reverse("staff:scorecard_export")]  # fmt: skip


def test_menu(manager_a, tech_a, region_manager):
    assert "staff:staff_list" in [i["url_name"] for i in nav_for(manager_a)]
    assert "staff:staff_list" in [i["url_name"] for i in nav_for(region_manager)]
    names = [i["url_name"] for i in nav_for(tech_a.user)]
    assert "staff:my_profile" in names and "staff:staff_list" not in names


def test_manager_pages_show_only_their_dealer(manager_a, tech_a, tech_b):
    certificate(tech_b, expires_on=timezone.localdate() + timedelta(days=3))
    certificate(tech_a, expires_on=timezone.localdate() + timedelta(days=3), number="A-CERT")
    desk = login(manager_a)
    for url in PAGES:
        assert desk.get(url).status_code == 200, url
    page = desk.get(LIST).content.decode()
    assert f'data-profile="{tech_a.pk}"' in page and f'data-profile="{tech_b.pk}"' not in page
    page = desk.get(reverse("staff:certificate_list")).content.decode()
    assert "A-CERT" in page and f'data-certificate="{tech_b.certificates.get().pk}"' not in page
    assert desk.get(tech_b.get_absolute_url()).status_code == 404
    assert desk.get(LIST, {"dealer": tech_b.dealer_id}).status_code == 404
    assert desk.get(reverse("staff:scorecard"), {"dealer": tech_b.dealer_id}).status_code == 404
    response = desk.post(reverse("staff:certificate_add", args=[tech_b.pk]), CERT)
    assert response.status_code == 404 and tech_b.certificates.count() == 1


@pytest.mark.parametrize(
    "today",
    [
        date(2026, 6, 15),  # about half the year's hours are due: 40 h are enough, none are not
        date(2026, 1, 1),  # the first day already counts (1/365 of the hours, 0.1 h): none is behind
    ],
)
def test_list_filters(manager_a, dealer_a, tech_a, clock, today):
    clock(sh(today.year, today.month, today.day, 10))
    advisor = person(dealer_a, Position.SERVICE_ADVISOR)
    trained(advisor, 40, timezone.localdate())
    certificate(tech_a, expires_on=timezone.localdate() - timedelta(days=1))
    desk = login(manager_a)

    def shown(**params):
        page = desk.get(LIST, params).content.decode()
        return {p.pk for p in (tech_a, advisor) if f'data-profile="{p.pk}"' in page}

    assert shown() == {tech_a.pk, advisor.pk}
    assert shown(position=Position.SERVICE_ADVISOR) == {advisor.pk}
    assert shown(certificate="expired") == {tech_a.pk}
    assert shown(certificate="none") == {advisor.pk}
    assert shown(training="on_track") == {advisor.pk}
    assert shown(training="behind") == {tech_a.pk}
    assert shown(q=tech_a.employee_number) == {tech_a.pk}


def test_staff_see_only_their_own_profile_and_scorecard(tech_a, dealer_a):
    other = person(dealer_a, Position.TECHNICIAN)
    own = login(tech_a.user)
    assert own.get(reverse("staff:my_profile")).url == tech_a.get_absolute_url()
    page = own.get(tech_a.get_absolute_url()).content.decode()
    assert tech_a.employee_number in page and "Record a certificate" not in page and 'id="history"' not in page
    assert own.get(other.get_absolute_url()).status_code == 404
    assert own.get(LIST).status_code == 404
    page = own.get(reverse("staff:scorecard")).content.decode()
    assert f'data-profile="{tech_a.pk}"' in page and f'data-profile="{other.pk}"' not in page


def test_region_manager_reads_but_does_not_write(region_manager, tech_a, tech_b):
    reader = login(region_manager)
    assert reader.get(tech_a.get_absolute_url()).status_code == 200
    assert reader.get(tech_b.get_absolute_url()).status_code == 404
    response = reader.post(reverse("staff:certificate_add", args=[tech_a.pk]), CERT)
    assert response.status_code == 404 and not Certificate.objects.exists()


def test_manager_records_certificate_training_skill_and_edits(manager_a, dealer_a, tech_a):
    desk = login(manager_a)
    lesson = course(dealer_a, "E01", hours="4")
    response = desk.post(reverse("staff:certificate_add", args=[tech_a.pk]),
                         {"kind": CertificateKind.OEM_TECHNICIAN, "number": "OEM-1", "issued_on": "2024-01-01",
                          "expires_on": "2027-01-01", "level": "中级"})  # fmt: skip
    assert response.status_code == 302 and tech_a.certificates.get().number == "OEM-1"
    response = desk.post(reverse("staff:certificate_add", args=[tech_a.pk]),
                         {"kind": CertificateKind.OEM_TECHNICIAN, "number": "OEM-2", "issued_on": "2024-01-01",
                          "expires_on": "2023-01-01"})  # fmt: skip
    assert response.status_code == 400 and tech_a.certificates.count() == 1
    today = timezone.localdate().isoformat()
    response = desk.post(
        reverse("staff:training_record_add", args=[tech_a.pk]),
        {"course": lesson.pk, "attended_on": today, "result": TrainingResult.PASSED, "score": 90},
    )
    assert response.status_code == 302 and TrainingRecord.objects.get().hours == 4
    response = desk.post(reverse("staff:skill_set", args=[tech_a.pk]), {"area": "engine", "level": 3})
    assert response.status_code == 302 and tech_a.skills.get().level == 3
    response = desk.post(reverse("staff:profile_edit", args=[tech_a.pk]),
                         {"employee_number": "A-T9", "position": Position.FOREMAN, "hire_date": "2020-03-01",
                          "version": tech_a.version})  # fmt: skip
    assert response.status_code == 302
    tech_a.refresh_from_db()
    assert (tech_a.employee_number, tech_a.version) == ("A-T9", 2)
    response = desk.post(reverse("staff:profile_edit", args=[tech_a.pk]),
                         {"employee_number": "A-T8", "position": Position.FOREMAN, "hire_date": "2020-03-01",
                          "version": 1})  # fmt: skip
    assert response.status_code == 400 and StaffProfile.objects.get(pk=tech_a.pk).employee_number == "A-T9"
    page = desk.get(tech_a.get_absolute_url()).content.decode()
    assert 'id="history"' in page and "OEM-1" in page


def test_profile_create_page(manager_a, dealer_a, advisor_a, advisor_b):
    desk = login(manager_a)
    page = desk.get(reverse("staff:profile_create")).content.decode()
    assert advisor_a.username in page and advisor_b.username not in page
    response = desk.post(
        reverse("staff:profile_create"),
        {
            "dealer": dealer_a.pk,
            "user": advisor_a.pk,
            "employee_number": "A-9",
            "position": Position.SERVICE_ADVISOR,
            "hire_date": "2023-02-01",
        },
    )
    assert response.status_code == 302
    assert StaffProfile.objects.get(user=advisor_a).dealer == dealer_a
    response = desk.post(reverse("staff:profile_create"), {"dealer": advisor_b.dealer_memberships.get().dealer_id,
                         "user": advisor_b.pk, "employee_number": "B-9", "position": "technician",
                         "hire_date": "2023-02-01"})  # fmt: skip
    assert response.status_code == 404


def test_peer_assessment_page(tech_a, dealer_a, tech_b):
    colleague = person(dealer_a, Position.SERVICE_ADVISOR)
    peer = login(colleague.user)
    url = reverse("staff:assessment_create")
    page = peer.get(url).content.decode()
    assert str(tech_a.user) in page and str(tech_b.user) not in page
    assert peer.get(url, {"subject": tech_b.pk}).status_code == 404
    scores = {"score_competence": 4, "score_attitude": 4, "score_process": 3, "score_teamwork": 5,
              "score_responsibility": 4, "year": 2026, "quarter": 1}  # fmt: skip
    assert peer.post(url, {"subject": tech_a.pk, "kind": AssessmentKind.PEER, **scores}).status_code == 302
    assert peer.post(url, {"subject": colleague.pk, "kind": AssessmentKind.PEER, **scores}).status_code == 400
    assert peer.post(url, {"subject": tech_b.pk, "kind": AssessmentKind.PEER, **scores}).status_code == 400
    assert peer.post(url, {"subject": tech_a.pk, "kind": AssessmentKind.SUPERVISOR, **scores}).status_code == 400
    assert Assessment.objects.count() == 1


def test_training_report_and_requirement(manager_a, dealer_a, dealer_b, tech_a):
    desk = login(manager_a)
    url = reverse("staff:training_report")
    response = desk.post(reverse("staff:requirement_set"), {"dealer": dealer_a.pk, "position": "technician",
                                                            "yearly_hours": "12"})  # fmt: skip
    assert response.status_code == 302
    response = desk.post(reverse("staff:requirement_set"), {"dealer": dealer_b.pk, "position": "technician",
                                                            "yearly_hours": "12"})  # fmt: skip
    assert response.status_code == 404
    assert desk.post(reverse("staff:course_create"), {"dealer": dealer_a.pk, "code": "N1", "title": "新能源安全",
                     "category": "safety", "provider": "oem", "hours": "8"}).status_code == 302  # fmt: skip
    page = desk.get(url).content.decode()
    assert f'data-dealer="{dealer_a.pk}"' in page and "新能源安全" in page and f'data-profile="{tech_a.pk}"' in page


def test_scorecard_export(manager_a, dealer_a, tech_a, tech_b):
    response = login(manager_a).get(reverse("staff:scorecard_export"), {"month": "2026-05"})
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Service advisors", "Technicians"]
    rows = list(book["Technicians"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Dealer", "Employee number", "Name")
    assert [r[1] for r in rows[1:]] == [tech_a.employee_number]


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_page_queries_do_not_grow(manager_a, dealer_a):
    desk = login(manager_a)
    certificate(person(dealer_a), expires_on=timezone.localdate() + timedelta(days=2))
    few = {url: count(desk, url) for url in PAGES[:4]}
    for _ in range(6):
        p = person(dealer_a, Position.SERVICE_ADVISOR)
        certificate(p, expires_on=timezone.localdate() + timedelta(days=2))
        trained(p, 3, timezone.localdate())
    assert {url: count(desk, url) for url in PAGES[:4]} == few


def test_the_order_page_warns_before_dispatching_an_uncertified_technician(dealer_a, advisor_a):
    from core.tests.factories import CustomerFactory, VehicleFactory, make_vin
    from repairs.choices import RepairOrderStatus as S
    from repairs.tests.factories import make_order, staff_for

    order = make_order(
        VehicleFactory(owner=CustomerFactory(dealer=dealer_a), vin=make_vin(4242)), advisor_a, S.APPROVED
    )
    team = staff_for(dealer_a)
    profile = StaffProfile.objects.filter(user=team.technician, dealer=dealer_a).first() or person(
        dealer_a, user=team.technician
    )
    page = login(team.foreman).get(order.get_absolute_url()).content.decode()
    assert "no valid certificate" in page
    certificate(profile, expires_on=date.today() + timedelta(days=300))
    assert "no valid certificate" not in login(team.foreman).get(order.get_absolute_url()).content.decode()
