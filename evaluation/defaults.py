"""The shipped defaults: the indicator system of kpi-catalog.md and the service-system audit checklist.

Loaded by migration 0002 (and ``load_defaults`` for a database whose rows were removed); both loaders are
idempotent. The default indicator system has no OEM: every OEM without its own system is evaluated with it, and an
OEM adopts it by copying it (services.indicator_system_adopt).

AHP matrices are given as the upper triangle (row-major, Saaty fractions). They were written from the priorities
of the catalogue (satisfaction and problem solving first, then responsiveness, staff and process, then parts and
the audit); every one is consistent (CR < 0.01) and the test suite checks it.
"""

from __future__ import annotations

from fractions import Fraction

DEFAULT_SYSTEM_NAME = "默认指标体系 (kpi-catalog)"
DEFAULT_SYSTEM_DESCRIPTION = "The default indicator system of kpi-catalog.md: dimensions A–F measured, G audited."
AUDIT_TEMPLATE_CODE = "SVC-SYS-2024"

# code, zh, en, source
DIMENSIONS: list[tuple[str, str, str, str]] = [
    ("A", "响应速度", "Responsiveness", "measured"),
    ("B", "问题解决", "Problem solving", "measured"),
    ("C", "服务人员", "Staff", "measured"),
    ("D", "流程规范", "Process compliance", "measured"),
    ("E", "客户满意与忠诚", "Satisfaction and loyalty", "measured"),
    ("F", "配件保障", "Parts", "measured"),
    ("G", "体系审核", "Service-system audit", "audited"),
]

# dimension, code, zh, en, direction, target, floor, unit, formula
INDICATORS: list[tuple[str, str, str, str, str, str, str, str, str]] = [
    ("A", "A1", "接待等待时长", "Reception wait", "lower", "10", "30", "min",
     "Median minutes from arrival to the repair order being opened."),
    ("A", "A2", "投诉2小时联系率", "Complaint first contact ≤ 2 h", "higher", "100", "70", "%",
     "Complaints contacted within 2 h / complaints received."),
    ("A", "A3", "增项确认时长", "Additional-work decision time", "lower", "30", "120", "min",
     "Median minutes from an additional item being raised to the customer's decision."),
    ("A", "A4", "预约准时接待率", "Appointment on-time reception", "higher", "95", "70", "%",
     "Appointments received within 15 min of the slot / appointments kept."),
    ("B", "B1", "一次修复率", "First-time fix rate", "higher", "97", "85", "%",
     "Repair ROs with no comeback (same vehicle, same fault category, within 30 days) / repair ROs delivered."),
    ("B", "B2", "按时交车率", "On-time delivery", "higher", "95", "75", "%",
     "Delivered by the promised time / delivered."),
    ("B", "B3", "平均维修周期", "Repair cycle time", "lower", "4", "12", "h",
     "Mean hours from check-in to ready (maintenance jobs)."),
    ("B", "B4", "报价准确率", "Estimate accuracy", "higher", "95", "80", "%",
     "Settled within ±10 % of the approved estimate (incl. approved additions) / settled."),
    ("B", "B5", "投诉解决率", "Complaint resolution", "higher", "90", "70", "%",
     "Complaints received in the period and resolved with the customer's agreement by the evaluation date / "
     "complaints received in the period."),
    ("C", "C1", "服务态度满意度", "Attitude satisfaction", "higher", "90", "70", "score",
     "Mean of the survey items tagged attitude, 0–100."),
    ("C", "C2", "专业能力满意度", "Competence satisfaction", "higher", "90", "70", "score",
     "Mean of the survey items tagged competence, 0–100."),
    ("C", "C3", "培训达标率", "Training compliance", "higher", "100", "70", "%",
     "Staff with at least the required training hours this year / active staff."),
    ("C", "C4", "持证上岗率", "Certified technicians", "higher", "100", "80", "%",
     "Technicians with a valid certificate / technicians who worked jobs."),
    ("D", "D1", "接车规范率", "Complete check-in", "higher", "100", "85", "%",
     "ROs with walk-around, fuel, odometer and belongings signed / ROs opened."),
    ("D", "D2", "增项确认率", "Approved additional work", "higher", "100", "90", "%",
     "Additional items done only after recorded customer approval / additional items done."),
    ("D", "D3", "质检一次合格率", "QC first-pass", "higher", "98", "85", "%",
     "ROs passing QC at the first inspection / ROs inspected."),
    ("D", "D4", "回访及时率", "Timely follow-up", "higher", "95", "70", "%",
     "First follow-up on day 3–7 after delivery, second within 7 days after the first / follow-ups due."),
    ("D", "D5", "建档及时率", "Timely archive", "higher", "100", "80", "%",
     "New customers with a complete archive within 2 days of the first visit / new customers."),
    ("D", "D6", "投诉3日反馈率", "Complaint feedback ≤ 3 days", "higher", "100", "80", "%",
     "Complaints with a feedback to the customer within 3 days / complaints received."),
    ("E", "E1", "综合满意度", "CSI", "higher", "900", "700", "points (0–1000)",
     "Weighted survey score on a 1000-point scale (factor weights configurable)."),
    ("E", "E2", "净推荐值", "NPS", "higher", "50", "0", "NPS",
     "% promoters (9–10) − % detractors (0–6)."),
    ("E", "E3", "投诉率", "Complaint rate", "lower", "2", "10", "%",
     "Complaints received / delivered ROs."),
    ("E", "E4", "客户保持率", "Retention (rolling)", "higher", "80", "50", "%",
     "Of the customers with a visit in months [t−24, t−12) before the period end t, the share with a visit in "
     "[t−12, t)."),
    ("F", "F1", "配件一次满足率", "First-pick fill rate", "higher", "95", "80", "%",
     "RO part lines issued from stock on the day requested / RO part lines."),
    ("F", "F2", "呆滞库存占比", "Dead stock share", "lower", "5", "20", "%",
     "Stock value with no movement in 180 days / stock value."),
    ("G", "G", "体系审核得分", "Service-system audit score", "higher", "95", "60", "score",
     "Score of the latest submitted audit in the period (official audits first): points earned / points "
     "possible × 100, then special deductions (−1 each) and the special bonus (+1), within 0–100."),
]  # fmt: skip

# The definitions of INDICATORS in Chinese (the English ones are the last column above), by indicator code.
FORMULAS_ZH: dict[str, str] = {
    "A1": "客户到店至开立维修工单的分钟数（取中位数）。",
    "A2": "2 小时内首次联系的投诉数 / 受理的投诉数。",
    "A3": "从提出增项到客户作出决定的分钟数（取中位数）。",
    "A4": "在预约时段开始后 15 分钟内接待的预约数 / 按约到店的预约数。",
    "B1": "无返修（同一车辆、同一故障类别、30 天内）的维修工单数 / 交车的维修工单数。",
    "B2": "在承诺时间前交车的工单数 / 交车工单数。",
    "B3": "从接车到完工的平均小时数（保养工单）。",
    "B4": "结算金额在已确认报价（含已确认增项）±10% 以内的结算数 / 结算数。",
    "B5": "本期受理、在评价日前经客户认可解决的投诉数 / 本期受理的投诉数。",
    "C1": "标记为“服务态度”的问卷题目平均分（0–100）。",
    "C2": "标记为“专业能力”的问卷题目平均分（0–100）。",
    "C3": "本年度培训学时达到要求的员工数 / 在岗员工数。",
    "C4": "持有效证书的技师数 / 参与作业的技师数。",
    "D1": "环车检查、油量、里程和物品清单均已签字确认的工单数 / 开立的工单数。",
    "D2": "经客户确认记录后才施工的增项数 / 已施工的增项数。",
    "D3": "首次质检即合格的工单数 / 质检的工单数。",
    "D4": "交车后第 3–7 天完成首次回访、首次回访后 7 天内完成二次回访的回访数 / 到期的回访数。",
    "D5": "首次到店后 2 天内建立完整档案的新客户数 / 新客户数。",
    "D6": "3 天内向客户反馈的投诉数 / 受理的投诉数。",
    "E1": "按千分制计算的问卷加权得分（因子权重可配置）。",
    "E2": "推荐者（9–10 分）占比 − 贬损者（0–6 分）占比。",
    "E3": "受理的投诉数 / 交车工单数。",
    "E4": "在期末 t 之前第 [t−24, t−12) 个月内到店的客户中，在 [t−12, t) 内再次到店的比例。",
    "F1": "在申领当日从库存发出的工单配件行数 / 工单配件行数。",
    "F2": "180 天无出入库的库存金额 / 库存金额。",
    "G": "本期最近一次提交的审核得分（正式审核优先）：得分 / 可得分 × 100，再扣特殊扣分（每项 −1）、加特殊加分"
    "（+1），限于 0–100。",
}


# Upper triangles (row-major) of the default AHP matrices; "" is the dimension-level matrix (A–G).
MATRICES: dict[str, list[str]] = {
    "": ["1/2", "1", "1", "1/3", "2", "2",
         "2", "2", "1/2", "3", "3",
         "1", "1/3", "2", "2",
         "1/3", "2", "2",
         "4", "4",
         "1"],
    "A": ["1/2", "2", "1", "3", "2", "1/2"],
    "B": ["2", "3", "3", "1", "2", "2", "1/2", "1", "1/3", "1/3"],
    "C": ["1", "3", "2", "3", "2", "1/2"],
    "D": ["1/2", "1/2", "1", "2", "1", "1", "2", "3", "2", "2", "3", "2", "2", "1", "1/2"],
    "E": ["2", "2", "3", "1", "1", "1"],
    "F": ["3"],
    "G": [],
}  # fmt: skip


def full_matrix(n: int, upper: list[str]) -> list[list[float]]:
    """The reciprocal n × n matrix from its upper triangle given as Saaty fractions."""
    if len(upper) != n * (n - 1) // 2:
        raise ValueError(f"an {n}×{n} matrix needs {n * (n - 1) // 2} judgements, got {len(upper)}")
    rows = [[1.0] * n for _ in range(n)]
    values = iter(upper)
    for i in range(n):
        for j in range(i + 1, n):
            value = Fraction(next(values))
            rows[i][j] = float(value)
            rows[j][i] = float(1 / value)
    return rows


# The service-system content standard (客户服务体系内容标准) as a checklist: section code, title, items
# (code, requirement, points, evidence required, guidance). 100 points in all.
AUDIT_SECTIONS: list[tuple[str, str, list[tuple[str, str, int, bool, str]]]] = [
    ("1", "服务文化与承诺", [
        ("1.1", "有明确的服务理念，贯穿企业各个环节，员工熟知并认真完整地执行", 3, False,
         "抽问 2 名员工服务理念。"),
        ("1.2", "有明确的服务承诺并准确传递给每一位客户，产品资料中的承诺准确一致并完全履行", 4, True,
         "拍摄店内公示的服务承诺；核对产品资料。"),
        ("1.3", "有明确的服务策略，既满足客户需要又保持合理的服务成本", 3, False, ""),
    ]),
    ("2", "服务制度与规范", [
        ("2.1", "有明确的服务工作目标，包含可考核的数量化指标，并适时调整", 3, True, "查看年度服务目标文件。"),
        ("2.2", "服务规章制度覆盖产品服务各个环节，以文件形式体现，形成服务规范体系", 3, True, ""),
        ("2.3", "制定服务流程，服务人员严格按流程工作，并将服务流程明示给客户", 3, True, "拍摄接待区公示的服务流程。"),
        ("2.4", "设立内部服务监督机构，对服务部门及人员实施奖惩", 3, True, ""),
        ("2.5", "遵循严格程序制定服务制度，并定期修订", 2, False, "查看制度修订记录。"),
    ]),
    ("3", "服务网络", [
        ("3.1", "设立专门的服务组织机构，具备职能设计、人员配备和运转机制", 3, True, "查看组织架构图。"),
        ("3.2", "服务网点覆盖产品销售范围的 70% 以上", 4, True, "核对网点清单与销售区域。"),
        ("3.3", "自建网点与委托网点之间的比例在 30% 以上", 3, False, ""),
    ]),
    ("4", "人员配置与培训投入", [
        ("4.1", "配置专职服务管理人员和监督人员", 3, False, ""),
        ("4.2", "配置专业维修技术人员，具备资质证书", 4, True, "抽查技师证书。"),
        ("4.3", "有服务培训体系和培训计划、课目及费用", 3, True, "查看年度培训计划。"),
        ("4.4", "服务人员经上岗培训后上岗", 2, False, ""),
        ("4.5", "培训经费占服务投入的比例不少于 5%", 2, True, "查看财务台账。"),
        ("4.6", "有固定资产投入和服务设施，年度服务经费占销售额的比例不少于 3%", 2, True, "查看财务台账。"),
    ]),
    ("5", "维修服务", [
        ("5.1", "明示产品的保修时间、收费和承诺，长期提供维修技术咨询", 3, True, "拍摄公示栏。"),
        ("5.2", "设立方便、有效的报修渠道，制定报修、送修或上门维修的程序和规范", 2, False, ""),
        ("5.3", "维修收费明码标价且收费合理", 3, True, "拍摄工时及配件价格公示。"),
        ("5.4", "有完善的退换制度和服务补救措施", 2, False, ""),
        ("5.5", "建立维修设施并配备设备和人员，定期检查设施、设备和器材", 3, True, "查看设备点检记录。"),
        ("5.6", "建立配件供应体系，保证快捷供应", 3, False, ""),
    ]),
    ("6", "客户投诉", [
        ("6.1", "设立投诉接待制度，提供服务热线、投诉电话等多形式的投诉渠道", 3, True, "拍摄公示的投诉电话。"),
        ("6.2", "建立投诉记录，处理结果及时反馈投诉人", 3, True, "抽查 5 份投诉记录。"),
        ("6.3", "有专人负责投诉受理，及时有效地解决客户投诉", 2, False, ""),
        ("6.4", "产品投诉率低于 10%", 3, True, "以系统投诉台账核对。"),
        ("6.5", "投诉解决率不低于 90%", 3, True, "以系统投诉台账核对。"),
    ]),
    ("7", "客户管理", [
        ("7.1", "建立客户管理档案", 3, True, "抽查客户档案。"),
        ("7.2", "有完善的客户回访制度并执行", 3, True, "抽查回访记录。"),
        ("7.3", "进行客户满意度调查，有客户反馈信息收集机制", 3, True, ""),
        ("7.4", "举办客户参与的活动，提供有针对性的主动服务", 3, False, ""),
    ]),
    ("8", "服务改进", [
        ("8.1", "采取措施降低返修率，保证维修质量，降低二次返修率", 3, True, "查看返修分析与整改记录。"),
        ("8.2", "采取措施提高内部服务质量管理和外部监督", 2, False, ""),
        ("8.3", "确定具体、可操作的服务改进目标并跟踪落实", 3, True, "查看改进计划与验证记录。"),
    ]),
]  # fmt: skip


def load_default_system(apps) -> bool:
    """Create the default indicator system (version 1, published) unless it exists; True when created.

    Works with the historical models of a migration (``apps``) and with the real registry.
    """
    from evaluation import maths

    system_model = apps.get_model("evaluation", "IndicatorSystem")
    if system_model.objects.filter(oem__isnull=True, name=DEFAULT_SYSTEM_NAME).exists():
        return False
    version_model = apps.get_model("evaluation", "SystemVersion")
    dimension_model = apps.get_model("evaluation", "Dimension")
    indicator_model = apps.get_model("evaluation", "Indicator")
    matrix_model = apps.get_model("evaluation", "PairwiseMatrix")
    system = system_model.objects.create(
        name=DEFAULT_SYSTEM_NAME,
        description=DEFAULT_SYSTEM_DESCRIPTION,
    )
    from django.utils import timezone

    version = version_model.objects.create(
        system=system, number=1, status="published", published_at=timezone.now(), note="kpi-catalog.md"
    )
    dimensions = {}
    for position, (code, zh, en, source) in enumerate(DIMENSIONS):
        dimensions[code] = dimension_model.objects.create(
            system_version=version, code=code, name_zh=zh, name_en=en, source=source, position=position
        )
    codes: dict[str, list[str]] = {code: [] for code, *_ in DIMENSIONS}
    fields = {f.name for f in indicator_model._meta.get_fields()}
    for position, (dim, code, zh, en, direction, target, floor, unit, formula) in enumerate(INDICATORS):
        codes[dim].append(code)
        # Migration 0002's historical model has one English ``formula``; 0005 made it two languages and fills them.
        definition = ({"formula_zh": FORMULAS_ZH[code], "formula_en": formula} if "formula_en" in fields
                      else {"formula": formula})  # fmt: skip
        indicator_model.objects.create(
            dimension=dimensions[dim], code=code, name_zh=zh, name_en=en, direction=direction, target=target,
            floor=floor, unit=unit, position=position, **definition,
        )  # fmt: skip
    levels = [("", [code for code, *_ in DIMENSIONS])] + [(code, codes[code]) for code, *_ in DIMENSIONS]
    for level, elements in levels:
        matrix = full_matrix(len(elements), MATRICES[level])
        result = maths.ahp(matrix)
        if not result.consistent:  # pragma: no cover - guarded by the tests of the shipped matrices
            raise ValueError(f"the default matrix {level or 'dimensions'} is inconsistent (CR = {result.cr:.3f})")
        matrix_model.objects.create(
            system_version=version, dimension=dimensions.get(level), elements=elements, matrix=matrix,
            method="eigenvector", weights=list(result.weights), lambda_max=result.lambda_max, ci=result.ci,
            cr=result.cr,
        )  # fmt: skip
    return True


def load_audit_template(apps) -> bool:
    """Create the service-system checklist template unless it exists; True when created."""
    template_model = apps.get_model("evaluation", "AuditTemplate")
    if template_model.objects.filter(code=AUDIT_TEMPLATE_CODE).exists():
        return False
    section_model = apps.get_model("evaluation", "AuditSection")
    item_model = apps.get_model("evaluation", "AuditItem")
    template = template_model.objects.create(
        code=AUDIT_TEMPLATE_CODE,
        name="客户服务体系审核表",
        description="依据客户服务体系内容标准（服务文化、服务制度、服务体系、维修服务、客户投诉、客户管理、"
        "服务改进）编制，满分 100 分。",
    )
    for s_pos, (s_code, title, items) in enumerate(AUDIT_SECTIONS):
        section = section_model.objects.create(template=template, code=s_code, title=title, position=s_pos)
        for i_pos, (code, text, points, evidence, guidance) in enumerate(items):
            item_model.objects.create(
                section=section, code=code, text=text, points=points, evidence_required=evidence,
                guidance=guidance, position=i_pos,
            )  # fmt: skip
    return True
