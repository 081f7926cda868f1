# ruff: noqa: E501 - the questionnaires read best one question per line
"""The two questionnaires shipped with the product, installed by the data migration 0002 (idempotent).

* ``CSI`` — after-sales customer satisfaction in the spirit of J.D. Power's CSI: five factors with
  the default weights of the published 2015 China after-sales study (service quality 22 %,
  vehicle pick-up 20 %, service facility 20 %, service advisor 19 %, service initiation 19 %),
  plus overall satisfaction, the recommendation question (NPS) and open feedback.
* ``SERVQUAL`` — the five SERVQUAL dimensions (tangibles, reliability, responsiveness, assurance,
  empathy), perception items only on a 1–5 scale (the SERVPERF reading: expectations are not asked,
  which halves the length for a customer on a phone), equal factor weights, plus NPS.

The data is plain Python so the migration can install it with the historical models; a changed
template is never edited here in place: a new version is made (see surveys.services).
"""

from __future__ import annotations

LIKERT = "likert5"


def _q(code, factor, dimension, zh, en, *, kind=LIKERT, weight=1, required=True, options=(), section=("", "")):
    return {
        "code": code, "csi_factor": factor, "dimension": dimension, "text_zh": zh, "text_en": en, "kind": kind,
        "weight": weight, "required": required, "options": list(options), "section_zh": section[0],
        "section_en": section[1],
    }  # fmt: skip


INITIATION = ("服务启动", "Service initiation")
ADVISOR = ("服务顾问", "Service advisor")
FACILITY = ("服务设施", "Service facility")
PICKUP = ("交车", "Vehicle pick-up")
QUALITY = ("服务质量", "Service quality")
OVERALL = ("总体评价", "Overall")

# fmt: off
YES_NO_FIXED = [
    {"value": "yes", "zh": "是，一次修好", "en": "Yes, fixed the first time", "score": 100},
    {"value": "no", "zh": "否，问题仍在或需返修", "en": "No, the problem remains or I had to come back", "score": 0, "low": True},
    {"value": "na", "zh": "仅做保养，不适用", "en": "Maintenance only, not applicable"},
]
IMPROVE = [
    {"value": "wait", "zh": "等待时间", "en": "Waiting time"},
    {"value": "price", "zh": "价格与收费说明", "en": "Prices and explanation of charges"},
    {"value": "communication", "zh": "沟通与进度告知", "en": "Communication and progress updates"},
    {"value": "quality", "zh": "维修质量", "en": "Quality of the repair"},
    {"value": "facility", "zh": "环境与设施", "en": "Facility and lounge"},
    {"value": "appointment", "zh": "预约便利性", "en": "Ease of booking"},
]

CSI = {
    "code": "CSI",
    "name_zh": "售后服务满意度调查（CSI）",
    "name_en": "After-sales satisfaction survey (CSI)",
    "intro_zh": "感谢您近期到店保养维修。请花两分钟为本次服务打分（1 = 非常不满意，5 = 非常满意）。",
    "intro_en": "Thank you for your recent visit. Please take two minutes to rate our service (1 = very dissatisfied, 5 = very satisfied).",
    "factor_weights": {"service_quality": 22, "vehicle_pickup": 20, "service_facility": 20, "service_advisor": 19, "service_initiation": 19},
    "questions": [
        _q("SI1", "service_initiation", "convenience", "预约或到店安排是否方便？", "How easy was it to book the visit?", section=INITIATION),
        _q("SI2", "service_initiation", "responsiveness", "到店后是否得到及时接待？", "Were you received promptly on arrival?", section=INITIATION),
        _q("SI3", "service_initiation", "attitude", "接待人员是否热情礼貌？", "Was the reception friendly and courteous?", section=INITIATION),
        _q("SA1", "service_advisor", "attitude", "服务顾问的服务态度", "The service advisor's courtesy", section=ADVISOR),
        _q("SA2", "service_advisor", "competence", "服务顾问的专业知识", "The service advisor's knowledge", section=ADVISOR),
        _q("SA3", "service_advisor", "competence", "维修项目和费用是否解释清楚？", "How well were the work and the costs explained?", section=ADVISOR),
        _q("SA4", "service_advisor", "responsiveness", "维修过程中是否及时告知进度？", "Were you kept informed during the work?", section=ADVISOR),
        _q("SF1", "service_facility", "facility", "服务区域的整洁程度", "Cleanliness of the service area", section=FACILITY),
        _q("SF2", "service_facility", "facility", "休息区的舒适程度", "Comfort of the customer lounge", section=FACILITY),
        _q("SF3", "service_facility", "convenience", "停车与进出是否方便？", "Ease of parking and access", section=FACILITY),
        _q("VP1", "vehicle_pickup", "reliability", "是否按承诺时间交车？", "Was the car ready at the promised time?", section=PICKUP),
        _q("VP2", "vehicle_pickup", "competence", "交车时对所做工作的说明", "Explanation of the work done at pick-up", section=PICKUP),
        _q("VP3", "vehicle_pickup", "price", "收费是否合理透明？", "Fairness and transparency of the charges", section=PICKUP),
        _q("VP4", "vehicle_pickup", "attitude", "交车人员的服务态度", "Friendliness at pick-up", section=PICKUP),
        _q("SQ1", "service_quality", "competence", "维修保养的质量", "Quality of the work done", section=QUALITY),
        _q("SQ2", "service_quality", "reliability", "交车时车辆的整洁程度", "Cleanliness of the car when returned", section=QUALITY),
        _q("SQ3", "service_quality", "reliability", "问题是否一次修好？", "Was the problem fixed the first time?", kind="single", options=YES_NO_FIXED, section=QUALITY),
        _q("OV1", "", "overall", "总体而言，您对本次服务的满意程度（1–10 分）", "Overall, how satisfied are you with this visit (1–10)?", kind="likert10", section=OVERALL),
        _q("NPS", "", "loyalty", "您有多大可能向亲友推荐我们的售后服务（0–10 分）？", "How likely are you to recommend our service to friends or family (0–10)?", kind="nps", section=OVERALL),
        _q("IMP", "", "other", "您认为我们最需要改进的是？（可多选）", "What should we improve most? (choose any)", kind="multi", required=False, options=IMPROVE, section=OVERALL),
        _q("TXT", "", "other", "其他意见或建议", "Any other comments or suggestions", kind="text", required=False, section=OVERALL),
    ],
}

T = ("有形性", "Tangibles")
R = ("可靠性", "Reliability")
RS = ("响应性", "Responsiveness")
A = ("保证性", "Assurance")
E = ("移情性", "Empathy")

SERVQUAL = {
    "code": "SERVQUAL",
    "name_zh": "服务质量感知调查（SERVQUAL）",
    "name_en": "Service quality perception survey (SERVQUAL)",
    "intro_zh": "请根据本次到店的实际感受，对以下说法表示同意的程度（1 = 非常不同意，5 = 非常同意）。",
    "intro_en": "Based on this visit, how much do you agree with each statement (1 = strongly disagree, 5 = strongly agree)?",
    "factor_weights": {"tangibles": 20, "reliability": 20, "responsiveness": 20, "assurance": 20, "empathy": 20},
    "questions": [
        _q("T1", "tangibles", "facility", "店内设备先进、齐全", "The workshop has up-to-date equipment", section=T),
        _q("T2", "tangibles", "facility", "服务场所整洁、舒适", "The facilities are clean and comfortable", section=T),
        _q("T3", "tangibles", "attitude", "员工着装整洁、专业", "The staff look neat and professional", section=T),
        _q("R1", "reliability", "reliability", "承诺的时间内完成了服务", "The work was done by the time promised", section=R),
        _q("R2", "reliability", "reliability", "第一次就把事情做对了", "The job was done right the first time", section=R),
        _q("R3", "reliability", "price", "结算单据准确无误", "The invoice and records were accurate", section=R),
        _q("RS1", "responsiveness", "responsiveness", "员工准确告知了服务完成时间", "Staff told me exactly when the work would be done", section=RS),
        _q("RS2", "responsiveness", "responsiveness", "员工提供了迅速的服务", "Staff gave me prompt service", section=RS),
        _q("RS3", "responsiveness", "attitude", "员工总是乐于帮助我", "Staff were always willing to help", section=RS),
        _q("A1", "assurance", "competence", "员工的表现让我对维修放心", "The staff's behaviour gave me confidence in the work", section=A),
        _q("A2", "assurance", "attitude", "员工始终礼貌待客", "Staff were consistently courteous", section=A),
        _q("A3", "assurance", "competence", "员工有足够的专业知识回答我的问题", "Staff had the knowledge to answer my questions", section=A),
        _q("E1", "empathy", "empathy", "员工给予我个性化的关注", "Staff gave me individual attention", section=E),
        _q("E2", "empathy", "convenience", "营业时间方便我到店", "The opening hours are convenient for me", section=E),
        _q("E3", "empathy", "empathy", "员工理解我的具体需求", "Staff understood my specific needs", section=E),
        _q("NPS", "", "loyalty", "您有多大可能向亲友推荐我们的售后服务（0–10 分）？", "How likely are you to recommend our service to friends or family (0–10)?", kind="nps", section=OVERALL),
        _q("TXT", "", "other", "其他意见或建议", "Any other comments or suggestions", kind="text", required=False, section=OVERALL),
    ],
}

# fmt: on

SHIPPED = [CSI, SERVQUAL]
DEFAULT_CODE = "CSI"


def install_shipped(questionnaire_model, question_model) -> int:
    """Create version 1 of each shipped questionnaire that is missing; return how many were created."""
    created = 0
    for template in SHIPPED:
        if questionnaire_model.objects.filter(dealer__isnull=True, code=template["code"], version=1).exists():
            continue
        fields = {k: v for k, v in template.items() if k != "questions"}
        questionnaire = questionnaire_model.objects.create(version=1, **fields)
        question_model.objects.bulk_create(
            question_model(questionnaire=questionnaire, position=position, **question)
            for position, question in enumerate(template["questions"], start=1)
        )
        created += 1
    return created
