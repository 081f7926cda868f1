"""Words shared between domains read right in Chinese: a complaint's owner is 负责人 (not the car's 车主), it is
received 受理 (not goods 到货), through a 投诉渠道 (not a booking channel); each meaning has its own context."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from complaints.tests.factories import open_complaint
from core.tests.helpers import login

pytestmark = pytest.mark.django_db

# (context, msgid) -> what the Chinese UI says; None = no context.
TERMS = {
    ("person responsible", "Owner"): "负责人",
    ("person responsible", "owner"): "负责人",
    (None, "Owner"): "车主",
    ("questionnaire", "Owner"): "所属",
    ("complaint", "Received at"): "受理时间",
    ("complaint", "received at"): "受理时间",
    (None, "Received at"): "到货时间",
    ("complaint", "Channel"): "投诉渠道",
    ("appointment", "Channel"): "预约渠道",
    (None, "Channel"): "渠道",
    (None, "channel"): "渠道",
    ("background job", "Failed"): "失败",
    ("message", "Failed"): "发送失败",
    (None, "Failed"): "未通过",
    ("alert", "Open"): "未处理",
    (None, "Open"): "待办",
    ("goods", "Arrived"): "到货数量",
    (None, "Arrived"): "已到店",
    ("stock-take", "Approved"): "已审核",
    ("customer", "source"): "客户来源",
    (None, "source"): "来源",
}


@pytest.mark.parametrize(("key", "chinese"), TERMS.items(), ids=[f"{c}|{m}" for c, m in TERMS])
def test_each_meaning_has_its_own_chinese_word(key, chinese):
    context, msgid = key
    with translation.override("zh-hans"):
        said = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    assert said == chinese


def test_the_complaint_pages_name_the_person_responsible_and_the_complaint_channel(dealer_a, advisor_a, manager_a):
    complaint = open_complaint(dealer_a, advisor_a, owner=manager_a)
    client = login(manager_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    detail = client.get(complaint.get_absolute_url()).content.decode()
    listing = client.get(reverse("complaints:complaint_list")).content.decode()
    for page in (detail, listing):
        assert "负责人" in page
        assert "车主" not in page and "预约渠道" not in page and "到货时间" not in page
    assert "投诉渠道" in detail and "受理时间" in listing
