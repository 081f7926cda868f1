"""Pages: navigation, indicator systems and the matrix editor, audits, evidence files; isolation and query counts."""

import pytest
from django.urls import reverse

from evaluation.choices import SystemVersionStatus
from evaluation.models import AuditEvidence, PairwiseMatrix, SystemVersion
from evaluation.services import systems as system_services
from evaluation.tests.conftest import complete
from evaluation.tests.test_systems import BAD_UPPER

pytestmark = pytest.mark.django_db


def _matrix_post(matrix, upper, **extra):
    n = len(matrix.elements)
    keys = [f"m_{i}_{j}" for i in range(n) for j in range(i + 1, n)]
    return {"version": matrix.version, **dict(zip(keys, upper, strict=True)), **extra}


def test_navigation_and_index(client, manager_a, default_version):
    client.force_login(manager_a)
    home = client.get(reverse("dashboards:home"))
    assert reverse("evaluation:index").encode() in home.content
    page = client.get(reverse("evaluation:index"))
    assert page.status_code == 200
    assert reverse("evaluation:system_list").encode() in page.content
    assert reverse("evaluation:audit_list").encode() in page.content
    assert client.get(reverse("evaluation:system_list")).status_code == 200
    version_page = client.get(default_version.get_absolute_url())
    assert version_page.status_code == 200
    assert b'id="global-sum">100.00<' in version_page.content  # the global weights (0..1) in percent, 2 places
    assert client.get(default_version.system.get_absolute_url()).status_code == 200


def test_advisor_has_no_evaluation_pages(client, advisor_a, default_version):
    client.force_login(advisor_a)
    assert client.get(reverse("evaluation:index")).status_code == 404
    assert client.get(default_version.get_absolute_url()).status_code == 404


def test_matrix_editor_preview_refuse_and_save(client, superuser, default_version):
    draft = system_services.system_version_copy(system_version=default_version, by=superuser)
    matrix = draft.matrices.get(dimension__code="A")
    client.force_login(superuser)
    url = reverse("evaluation:matrix_edit", args=[matrix.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'name="m_0_1"' in page.content and b'id="cr"' in page.content
    preview = client.post(
        reverse("evaluation:matrix_preview", args=[matrix.pk]), _matrix_post(matrix, BAD_UPPER), HTTP_HX_REQUEST="true"
    )
    assert preview.status_code == 200 and b'id="inconsistent-pair"' in preview.content
    assert b'id="mirror-3-0" hx-swap-oob="true">8<' in preview.content
    no_js = client.post(url, _matrix_post(matrix, BAD_UPPER, preview="1"))
    assert no_js.status_code == 200 and b'id="inconsistent-pair"' in no_js.content
    refused = client.post(url, _matrix_post(matrix, BAD_UPPER))
    assert refused.status_code == 400
    matrix.refresh_from_db()
    assert matrix.version == 1
    saved = client.post(url, _matrix_post(matrix, ["1", "3", "2", "3", "2", "1/2"]))
    assert saved.status_code == 302
    matrix.refresh_from_db()
    assert matrix.version == 2 and matrix.upper[(0, 2)] == "3"


def test_manager_cannot_edit_or_publish(client, manager_a, superuser, default_version):
    draft = system_services.system_version_copy(system_version=default_version, by=superuser)
    matrix = draft.matrices.get(dimension__code="A")
    client.force_login(manager_a)
    assert (
        client.post(
            reverse("evaluation:matrix_edit", args=[matrix.pk]), _matrix_post(matrix, ["1", "3", "2", "3", "2", "1/2"])
        ).status_code
        == 404
    )
    assert client.post(reverse("evaluation:version_publish", args=[draft.pk]), {"version": 1}).status_code == 404
    indicator = draft.dimensions.get(code="A").indicators.first()
    assert client.get(reverse("evaluation:indicator_edit", args=[indicator.pk])).status_code == 404
    matrix.refresh_from_db()
    draft.refresh_from_db()
    assert matrix.version == 1 and draft.status == SystemVersionStatus.DRAFT


def test_copy_indicator_edit_publish_pages(client, superuser, default_version):
    client.force_login(superuser)
    response = client.post(reverse("evaluation:version_copy", args=[default_version.pk]))
    draft = SystemVersion.objects.get(status=SystemVersionStatus.DRAFT)
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    indicator = draft.dimensions.get(code="E").indicators.get(code="E3")
    url = reverse("evaluation:indicator_edit", args=[indicator.pk])
    data = {
        "name_zh": "投诉率",
        "name_en": "Complaint rate",
        "direction": "lower",
        "target": "3",
        "floor": "12",
        "unit": "%",
        "formula_zh": "受理的投诉数 / 交车工单数。",
        "formula_en": "Complaints / delivered ROs.",
        "version": indicator.version,
    }
    assert client.post(url, {**data, "floor": "1"}).status_code == 400
    assert client.post(url, data).status_code == 302
    indicator.refresh_from_db()
    assert (indicator.target, indicator.floor) == (3, 12)
    assert (
        client.post(reverse("evaluation:version_publish", args=[draft.pk]), {"version": draft.version}).status_code
        == 302
    )
    draft.refresh_from_db()
    assert draft.status == SystemVersionStatus.PUBLISHED


def test_version_page_query_count(client, manager_a, default_version, django_assert_max_num_queries):
    client.force_login(manager_a)
    with django_assert_max_num_queries(25):
        assert client.get(default_version.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("evaluation:system_list")).status_code == 200


def test_audit_pages_and_isolation(client, self_audit, manager_a, manager_b, region_manager, png):
    audit = complete(self_audit, manager_a, png)
    evidence = AuditEvidence.objects.filter(audit=audit).first()
    client.force_login(manager_a)
    assert client.get(reverse("evaluation:audit_list")).status_code == 200
    detail = client.get(audit.get_absolute_url())
    assert detail.status_code == 200 and b'id="checklist"' in detail.content
    served = client.get(reverse("evaluation:audit_evidence", args=[evidence.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert client.get(reverse("evaluation:audit_create")).status_code == 200
    # another dealer's manager: every page, file and form of the audit is a 404
    client.force_login(manager_b)
    assert client.get(audit.get_absolute_url()).status_code == 404
    assert client.get(reverse("evaluation:audit_evidence", args=[evidence.pk])).status_code == 404
    assert client.post(reverse("evaluation:audit_evidence", args=[evidence.pk])).status_code == 404
    assert (
        client.post(reverse("evaluation:audit_submit", args=[audit.pk]), {"version": audit.version}).status_code == 404
    )
    assert audit.pk not in [a.pk for a in client.get(reverse("evaluation:audit_list")).context["object_list"]]
    # the region manager reads it but cannot change a self-audit
    client.force_login(region_manager)
    assert client.get(audit.get_absolute_url()).status_code == 200
    refused = client.post(reverse("evaluation:audit_adjustment", args=[audit.pk]), {"kind": "deduction", "reason": "x"})
    assert refused.status_code == 400 and not audit.adjustments.exists()


def test_audit_score_and_submit_pages(client, self_audit, manager_a, png):
    audit = complete(self_audit, manager_a, png)
    client.force_login(manager_a)
    first = audit.item_scores.select_related("item").first()
    data = {"version": audit.version}
    for row in audit.item_scores.select_related("item"):
        data[f"score_{row.item_id}"] = str(row.score)
        data[f"note_{row.item_id}"] = ""
        data[f"reason_{row.item_id}"] = ""
    data[f"excluded_{first.item_id}"] = "on"
    bad = client.post(reverse("evaluation:audit_score", args=[audit.pk]), data)
    assert bad.status_code == 400  # excluded without a reason
    data[f"reason_{first.item_id}"] = "不适用"
    assert client.post(reverse("evaluation:audit_score", args=[audit.pk]), data).status_code == 302
    audit.refresh_from_db()
    assert (
        client.post(reverse("evaluation:audit_submit", args=[audit.pk]), {"version": audit.version}).status_code == 302
    )
    audit.refresh_from_db()
    assert audit.status == "submitted" and audit.score == 100


def test_audit_list_query_count(client, region_manager, dealer_a, template, django_assert_max_num_queries):
    from django.utils import timezone

    from evaluation.services import audits

    for _ in range(5):
        audits.audit_create(
            dealer=dealer_a, template=template, kind="official", audit_date=timezone.localdate(), by=region_manager
        )
    client.force_login(region_manager)
    with django_assert_max_num_queries(12):
        assert len(client.get(reverse("evaluation:audit_list")).context["object_list"]) == 5


def test_matrix_of_other_oem_is_404(client, oem_admin, other_oem_dealer, superuser, default_version):
    other = system_services.indicator_system_adopt(oem=other_oem_dealer.region.oem, by=superuser)
    matrix = PairwiseMatrix.objects.filter(system_version__system=other).first()
    client.force_login(oem_admin)
    assert client.get(reverse("evaluation:matrix_edit", args=[matrix.pk])).status_code == 404
    assert client.get(other.get_absolute_url()).status_code == 404
