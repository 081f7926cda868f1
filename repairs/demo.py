"""Demo visits: months of repair orders per dealer, with every step's time and person.

Each dealer gets a quality profile, so the evaluation later finds real differences:
reception wait, late deliveries, QC failures, declined additions, comebacks and
incomplete check-ins vary between dealers. The visits are those of ``ctx.visit_plan``
(appointments.demo); every step is counted in the dealer's working time, so the workshop's clock
stops at closing and carries on the next working day: promised, QC, ready and delivery times are
inside opening hours, and a late delivery is after the promised time, not in the night. A vehicle
has one open order at a time. Rows are built in bulk with their own timestamps (going through the
services would stamp "now" on everything).
"""

from __future__ import annotations

import heapq
import itertools
import math
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from simple_history.utils import bulk_create_with_history

from accounts.choices import Role
from accounts.demo import demo_password_hash
from accounts.models import DealerMembership, User
from core.dates import local_date, localtime
from core.demo import DemoContext
from repairs.choices import (
    QC_CHECKLISTS,
    AdditionStatus,
    BayKind,
    DecisionMethod,
    FaultCategory,
    FuelLevel,
    JobType,
    LineKind,
    PartSource,
    PauseReason,
    Payer,
    PaymentMethod,
    RepairOrderStatus,
    WorkStatus,
)
from repairs.models import (
    AdditionalItem,
    BayOccupancy,
    LabourClock,
    LabourOperation,
    QcFinding,
    QcInspection,
    RepairOrder,
    RepairOrderEvent,
    RepairOrderLine,
    Settlement,
    WorkshopBay,
)
from repairs.money import order_totals
from repairs.planning import OCCUPYING_STATUSES as BAY_STATUSES
from repairs.services import suggested_next_service

S = RepairOrderStatus


@dataclass(frozen=True)
class Profile:
    """How well a dealer works: the probabilities and times its visits are drawn with."""

    wait_minutes: float  # median reception wait (A1)
    late: float  # share delivered after the promised time (B2)
    qc_fail: float  # share failing the first QC (D3)
    comeback: float  # share of repairs coming back within 30 days (B1)
    incomplete_checkin: float  # share checked in with gaps (D1)
    decision_minutes: float  # median customer decision time on additions (A3)
    declined: float  # share of additions declined
    early_work: float = 0.0  # share of approved additions whose work started before the customer said yes (D2)
    estimate_miss: float = 0.0  # share of orders settled more than 10 % above the approved estimate (B4)


PROFILES = [
    Profile(6, 0.05, 0.03, 0.02, 0.02, 20, 0.20, early_work=0.0, estimate_miss=0.03),
    Profile(12, 0.15, 0.08, 0.05, 0.08, 45, 0.30, early_work=0.08, estimate_miss=0.08),
    Profile(20, 0.28, 0.15, 0.09, 0.18, 90, 0.35, early_work=0.3, estimate_miss=0.2),
]

# Labour catalogue (code, name, job type, standard hours) and the work of each fault category.
OPERATIONS = [
    ("M01", "常规保养（机油、机滤）", JobType.MAINTENANCE, "1.00"),
    ("M02", "大保养（含空滤、空调滤、火花塞）", JobType.MAINTENANCE, "2.00"),
    ("B01", "更换前刹车片", JobType.REPAIR, "1.50"),
    ("B02", "更换刹车油", JobType.REPAIR, "0.50"),
    ("E01", "发动机故障诊断", JobType.REPAIR, "1.00"),
    ("E02", "更换点火线圈", JobType.REPAIR, "0.80"),
    ("T01", "变速箱油更换", JobType.REPAIR, "1.20"),
    ("S01", "四轮定位", JobType.REPAIR, "1.00"),
    ("S02", "更换减震器（单侧）", JobType.REPAIR, "2.00"),
    ("L01", "蓄电池检测与更换", JobType.REPAIR, "0.50"),
    ("H01", "空调系统检测加氟", JobType.REPAIR, "1.00"),
    ("W01", "轮胎更换（每条）", JobType.REPAIR, "0.30"),
    ("V01", "高压系统绝缘检测", JobType.REPAIR, "1.50"),
    ("A01", "钣金喷漆（每面）", JobType.ACCIDENT, "6.00"),
]
PARTS = {
    "maintenance": [("机油 5W-30 4L", "4", "68.00"), ("机油滤清器", "1", "58.00"), ("放油螺栓垫片", "1", "5.00")],
    FaultCategory.BRAKES: [("前刹车片", "1", "420.00")],
    FaultCategory.ENGINE: [("点火线圈", "1", "380.00"), ("火花塞", "4", "65.00")],
    FaultCategory.TRANSMISSION: [("变速箱油 4L", "1", "520.00")],
    FaultCategory.SUSPENSION: [("减震器", "1", "860.00")],
    FaultCategory.ELECTRICAL: [("蓄电池 60Ah", "1", "780.00")],
    FaultCategory.HVAC: [("空调冷媒 R134a", "1", "160.00")],
    FaultCategory.TYRES: [("轮胎 225/55R17", "2", "690.00")],
    FaultCategory.EV_SYSTEM: [("高压接插件", "1", "1250.00")],
    FaultCategory.BODY: [("原厂漆料", "1", "650.00")],
}
REPAIR_OPS = {
    FaultCategory.BRAKES: "B01",
    FaultCategory.ENGINE: "E02",
    FaultCategory.TRANSMISSION: "T01",
    FaultCategory.SUSPENSION: "S02",
    FaultCategory.ELECTRICAL: "L01",
    FaultCategory.HVAC: "H01",
    FaultCategory.TYRES: "W01",
    FaultCategory.EV_SYSTEM: "V01",
    FaultCategory.BODY: "A01",
}
# The system each catalogue operation repairs (B1 finds a revisit with a line of it as a comeback of that system).
OPERATION_FAULTS = {code: fault for fault, code in REPAIR_OPS.items()} | {
    "B02": FaultCategory.BRAKES,
    "E01": FaultCategory.ENGINE,
    "S01": FaultCategory.SUSPENSION,
}
COMPLAINTS = {
    FaultCategory.BRAKES: "刹车时有尖锐异响",
    FaultCategory.ENGINE: "发动机故障灯亮，怠速抖动",
    FaultCategory.TRANSMISSION: "换挡有顿挫感",
    FaultCategory.SUSPENSION: "过减速带底盘有异响",
    FaultCategory.ELECTRICAL: "早上启动困难",
    FaultCategory.HVAC: "空调不够凉",
    FaultCategory.TYRES: "轮胎鼓包",
    FaultCategory.EV_SYSTEM: "仪表提示动力系统故障",
    FaultCategory.BODY: "倒车刮擦后保险杠",
}
ADDITIONS = [
    ("更换刹车油", "刹车油含水量超标", "0.5", ("DOT4 刹车油 1L", "1", "88.00")),
    ("更换雨刮片", "雨刮片老化起皮", "0.2", ("雨刮片（对）", "1", "168.00")),
    ("清洗节气门", "节气门积碳严重", "0.8", None),
]


def _billable(line: RepairOrderLine) -> bool:
    """Estimate lines, and lines of additions the customer approved."""
    addition = getattr(line, "addition_ref", None)
    return addition is None or addition.status == AdditionStatus.APPROVED


STAMPS = (
    "checked_in_at",
    "estimated_at",
    "approved_at",
    "dispatched_at",
    "repair_started_at",
    "qc_requested_at",
    "ready_at",
    "delivered_at",
)


def _technicians(ctx: DemoContext, index: int, dealer) -> list[User]:
    """The dealer's technicians: the demo team's one plus three more."""
    group = Group.objects.get(name=Role.TECHNICIAN)
    techs = [ctx.users[f"tech{index}"]]
    for suffix, name in zip("bcd", ["王师傅", "李师傅", "赵师傅"], strict=True):
        user = User.objects.create(username=f"tech{index}{suffix}", display_name=name, password=demo_password_hash())
        user.groups.add(group)
        DealerMembership.objects.create(user=user, dealer=dealer)
        techs.append(user)
    return techs


def _lognormal(ctx: DemoContext, median: float, spread: float = 0.6) -> float:
    return median * math.exp(ctx.rng.gauss(0, spread))


class _Builder:
    """Collects one dealer's rows and writes them in bulk."""

    def __init__(self, ctx: DemoContext, dealer, profile: Profile, staff: dict, operations: dict):
        self.ctx, self.dealer, self.profile, self.staff, self.ops = ctx, dealer, profile, staff, operations
        self.orders: list[RepairOrder] = []
        self.children: list[tuple[RepairOrder, list]] = []  # (order, [(model, kwargs)…]) created after the order
        self.months: dict[str, int] = {}
        self.clocked_on: set[int] = set()
        self.invoices: dict[str, int] = {}

    def number(self, when: datetime, prefix: str, counters: dict, width: int = 4) -> str:
        month = f"{localtime(when):%Y%m}"
        counters[month] = counters.get(month, 0) + 1
        return f"{prefix}{month}-{counters[month]:0{width}d}"

    def later(self, moment: datetime, minutes: float) -> datetime:
        """``minutes`` of working time after ``moment``: the workshop's clock stops when the dealer closes."""
        return self.ctx.later(self.dealer, moment, minutes)

    def visit(self, vehicle, arrived: datetime, job_type: str, fault: str, comeback_of=None) -> RepairOrder | None:
        ctx, p, rng, now = self.ctx, self.profile, self.ctx.rng, self.ctx.latest
        if arrived >= now:
            return None
        advisor, foreman, qc = self.staff["advisor"], self.staff["foreman"], self.staff["qc"]
        tech = rng.choice(self.staff["techs"])
        # Reception starts at opening for those who came early, and before closing for the last ones.
        closing = ctx.closing(self.dealer, arrived) or arrived
        wait = min(max(1.0, _lognormal(ctx, p.wait_minutes)), max(1.0, (closing - arrived).total_seconds() / 60 - 20))
        t = self.later(arrived, wait)
        if t >= now:
            return None  # still waiting at reception
        order = RepairOrder(
            dealer=self.dealer,
            vehicle=vehicle,
            customer=vehicle.owner,
            advisor=advisor,
            job_type=job_type,
            fault_category=fault,
            customer_complaint=COMPLAINTS.get(fault, "定期保养"),
            arrived_at=arrived,
            labour_rate=self.dealer.labour_rate,
            tax_rate=self.dealer.vat_rate,
            comeback_of=comeback_of,
            number=self.number(t, f"{self.dealer.code}-", self.months),
            status=S.OPEN,
        )
        order.opened_at = t
        odometer = max(100, (vehicle.mileage_km or 20000) - (now - arrived).days * 40)
        order.odometer_km, order.key_tag = odometer, f"K{rng.randint(1, 80):02d}"
        gaps = rng.random() < p.incomplete_checkin
        order.fuel_level = rng.choice(FuelLevel.values)
        order.walkaround_done = not gaps or rng.random() < 0.5
        order.belongings = rng.choice(["雨伞、行车记录仪", "儿童座椅", "无", "充电线"])
        order.documents_received = ["driving_licence"] + (["service_book"] if job_type == JobType.MAINTENANCE else [])
        hours = {JobType.MAINTENANCE: 1.2, JobType.ACCIDENT: 26, JobType.WARRANTY: 3}.get(job_type, 3.0)
        work = max(0.5, _lognormal(ctx, hours, 0.4)) * 60  # minutes of working time
        events = []

        def step(action, source, target, minutes, by, note=""):
            nonlocal t
            t = self.later(t, minutes)
            events.append(RepairOrderEvent(action=action, from_status=source, to_status=target, at=t, by=by, note=note))
            order.status = target
            return t

        order.checked_in_at = step(
            "check_in", S.OPEN, S.CHECKED_IN, rng.uniform(4, 12), advisor, "客户赶时间" if gaps else ""
        )
        if not gaps or rng.random() < 0.4:
            order.belongings_signed_by, order.belongings_signed_at = vehicle.owner.name, t
        order.checkin_exception = "客户赶时间" if gaps else ""
        order.promised_at = self._promise(self.later(t, work + rng.choice([30, 60, 90])))
        order.diagnosis, order.diagnosed_by = ("保养到期" if fault == FaultCategory.NONE else "检查确认故障"), tech
        order.estimated_at = step("give_estimate", S.CHECKED_IN, S.ESTIMATED, rng.uniform(8, 35), advisor)
        lines = self._lines(order, job_type, fault, tech)
        if t >= now or rng.random() < 0.015:  # a few walk away at the estimate
            return self._stop(order, events, lines, cancel=t < now)
        order.approval_method = rng.choice(["signature", "signature", "phone", "paper"])
        order.approved_by_customer, order.approval_recorded_by = vehicle.owner.name, advisor
        order.approved_total = order_totals(lines, tax_rate=order.tax_rate).total
        if rng.random() < p.estimate_miss:  # a rough estimate: the bill ends up well above what was approved
            order.approved_total = (order.approved_total * Decimal(str(round(rng.uniform(0.7, 0.88), 2)))).quantize(
                Decimal("0.01")
            )
        order.approved_at = step("approve", S.ESTIMATED, S.APPROVED, rng.uniform(2, 25), advisor)
        order.dispatched_at = step("dispatch", S.APPROVED, S.DISPATCHED, rng.uniform(5, 30), foreman)
        for line in lines:
            if line.kind == LineKind.LABOUR:
                line.technician, line.assigned_at = tech, t
        if t >= now:
            return self._stop(order, events, lines)
        order.repair_started_at = step("start_repair", S.DISPATCHED, S.IN_REPAIR, rng.uniform(5, 40), tech)
        start = t
        addition = None
        if job_type != JobType.ACCIDENT and rng.random() < 0.15:
            addition, extra = self._addition(order, self.later(t, work / 2), tech, lines)
            lines.extend(extra)
        t = self.later(start, work)
        if addition is not None and addition.decision_at and addition.decision_at > t:
            t = self.later(addition.decision_at, 30)
        if t >= now:
            return self._stop(order, events, lines, addition=addition)
        clocks = self._clocks(lines, start, t, addition=addition, early=rng.random() < p.early_work)
        inspections = []
        sequence = 0
        while True:
            order.qc_requested_at = step("request_qc", S.IN_REPAIR, S.QC, 0, tech)
            sequence += 1
            failed = sequence == 1 and rng.random() < p.qc_fail
            checklist = {code: True for code, _label in QC_CHECKLISTS.get(job_type, QC_CHECKLISTS["repair"])}
            # A failure sends the first job back for rework (返工), as repairs.services records it.
            rework = next((line for line in lines if line.kind == LineKind.LABOUR), None) if failed else None
            if failed:
                checklist[next(iter(checklist))] = False
            what_failed = f"{rework.description}: 异响未完全消除" if rework is not None else ""
            inspect_at = step(
                "qc_fail" if failed else "qc_pass",
                S.QC,
                S.IN_REPAIR if failed else S.READY,
                rng.uniform(10, 30),
                qc,
                what_failed,
            )
            inspection = QcInspection(
                sequence=sequence,
                inspector=qc,
                inspected_at=inspect_at,
                passed=not failed,
                checklist=checklist,
                failure_reasons=what_failed,
            )
            if rework is not None:
                inspection.finding = QcFinding(line=rework, check_code=next(iter(checklist)), reason="异响未完全消除")
            inspections.append(inspection)
            if not failed:
                order.ready_at = inspect_at
                break
            t = self.later(t, rng.uniform(30, 90))
        # Late is after the promised time, in working hours: the car is handed over later that day or the next.
        late = rng.random() < p.late
        pickup = self.later(order.promised_at, rng.uniform(20, 240)) if late else self.later(t, rng.uniform(10, 60))
        if late and pickup < t:
            pickup = self.later(t, 30)
        if not late and pickup > order.promised_at:
            order.promised_at = self._promise(self.later(pickup, rng.uniform(5, 30)))
        if pickup >= now:
            return self._stop(order, events, lines, addition=addition, clocks=clocks, inspections=inspections)
        t = pickup
        order.delivered_at = step("deliver", S.READY, S.DELIVERED, 0, advisor)
        settlement = self._settlement(order, lines, addition)
        return self._stop(
            order, events, lines, addition=addition, clocks=clocks, inspections=inspections, settlement=settlement
        )

    def _promise(self, moment: datetime) -> datetime:
        """A promised time as an advisor gives it: on the quarter hour, and not after closing."""
        local = moment.astimezone(self.ctx.calendar(self.dealer).zone)
        rounded = local + timedelta(minutes=-local.minute % 15, seconds=-local.second, microseconds=-local.microsecond)
        closing = self.ctx.closing(self.dealer, local)
        return min(rounded, closing) if closing else local

    def _lines(self, order, job_type, fault, tech) -> list[RepairOrderLine]:
        rng = self.ctx.rng
        if job_type == JobType.MAINTENANCE:
            op = self.ops["M02" if rng.random() < 0.25 else "M01"]
            parts = PARTS["maintenance"]
        else:
            op = self.ops[REPAIR_OPS.get(fault, "E01")]
            parts = PARTS.get(fault, [])
        payer = (
            Payer.WARRANTY
            if job_type == JobType.WARRANTY
            else (Payer.INSURANCE if job_type == JobType.ACCIDENT else Payer.CUSTOMER)
        )
        lines = [
            RepairOrderLine(
                kind=LineKind.LABOUR,
                operation=op,
                code=op.code,
                description=op.name,
                quantity=op.standard_hours,
                unit_price=order.labour_rate,
                payer=payer,
                position=1,
            )
        ]
        for position, (name, qty, price) in enumerate(parts, start=2):
            source = PartSource.NON_OEM if rng.random() < 0.03 else PartSource.OEM
            lines.append(
                RepairOrderLine(
                    kind=LineKind.PART,
                    description=name,
                    quantity=Decimal(qty),
                    unit_price=Decimal(price),
                    payer=payer,
                    part_source=source,
                    position=position,
                )
            )
        return lines

    def _addition(self, order, raised_at, tech, lines):
        rng, p = self.ctx.rng, self.profile
        description, reason, hours, part = rng.choice(ADDITIONS)
        decided = self.later(raised_at, max(3.0, _lognormal(self.ctx, p.decision_minutes)))
        approved = rng.random() >= p.declined
        addition = AdditionalItem(
            description=description,
            reason=reason,
            raised_by=tech,
            raised_at=raised_at,
            status=AdditionStatus.APPROVED if approved else AdditionStatus.DECLINED,
            contacted_at=self.later(raised_at, rng.uniform(2, 10)),
            contacted_by=order.advisor,
            decision_at=decided,
            decision_method=rng.choice(DecisionMethod.values),
            decided_by_customer=order.customer.name,
            decision_recorded_by=order.advisor,
        )
        start = len(lines) + 1
        extra = [
            RepairOrderLine(
                kind=LineKind.LABOUR,
                description=description,
                quantity=Decimal(hours),
                unit_price=order.labour_rate,
                position=start,
                technician=tech if approved else None,
            )
        ]
        if part:
            extra.append(
                RepairOrderLine(
                    kind=LineKind.PART,
                    description=part[0],
                    quantity=Decimal(part[1]),
                    unit_price=Decimal(part[2]),
                    part_source=PartSource.OEM,
                    position=start + 1,
                )
            )
        for line in extra:
            line.addition_ref = addition
        if approved:
            addition.approved_amount = order_totals(extra, tax_rate=order.tax_rate).total
        return addition, extra

    def _clocks(self, lines, start, end, *, addition=None, early=False):
        """Jobs one after the other in working time, a clock per job and day (technicians clock off at closing);
        an approved addition's job waits for the customer's yes (unless ``early``)."""
        jobs = [line for line in lines if line.kind == LineKind.LABOUR and _billable(line)]
        span = self.ctx.working_minutes(self.dealer, start, end) / max(1, len(jobs))
        clocks = []
        for n, line in enumerate(jobs):
            begin = self.later(start, span * n)
            # Each job takes about its labour-guide hours (80–130 %; waiting for a lift, parts or a road test
            # fills the rest of its slot, off the clock), from a hash: the demo's random streams are untouched.
            pace = 0.8 + 0.5 * (zlib.crc32(f"{start.isoformat()}:{line.code}:{n}".encode()) % 1000) / 1000
            finish = self.later(begin, min(span, float(line.quantity) * 60 * pace))
            decided = addition.decision_at if addition is not None else None
            if getattr(line, "addition_ref", None) is not None and decided and not early and begin <= decided:
                begin = min(self.later(decided, 5), end)
                finish = max(finish, self.later(begin, 10))
            line.work_status, line.started_at, line.finished_at = WorkStatus.DONE, begin, min(finish, end)
            for clock_on, clock_off in self._working_pieces(line.started_at, line.finished_at):
                clocks.append(LabourClock(technician=line.technician, started_at=clock_on, ended_at=clock_off))
                clocks[-1].line_ref = line
        return clocks

    def _working_pieces(self, begin: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """[begin, end] cut at the dealer's closing times: one piece per working day it spans."""
        calendar = self.ctx.calendar(self.dealer)
        pieces, day, last = [], begin.astimezone(calendar.zone).date(), end.astimezone(calendar.zone).date()
        while day <= last:
            interval = calendar.opening_interval(day)
            if interval is not None:
                piece = (max(begin, interval[0]), min(end, interval[1]))
                if piece[0] < piece[1] or (begin == end and interval[0] <= begin <= interval[1]):
                    pieces.append(piece)
                if interval[1] >= end:
                    break
            day += timedelta(days=1)
        return pieces or [(begin, end)]

    def _settlement(self, order, lines, addition):
        totals = order_totals([line for line in lines if _billable(line)], tax_rate=order.tax_rate)
        customer = totals.customer.total
        due_on, due_km = suggested_next_service(order, local_date(order.delivered_at))
        return Settlement(
            invoice_number=self.number(order.delivered_at, f"ST-{self.dealer.code}-", self.invoices, width=5),
            settled_at=order.delivered_at,
            settled_by=order.advisor,
            payment_method=self.ctx.rng.choice(["wechat_pay", "alipay", "card", "cash"])
            if customer > 0
            else PaymentMethod.NONE,
            customer_total=customer,
            grand_total=totals.total,
            warranty_total=totals.by_payer[Payer.WARRANTY].total if Payer.WARRANTY in totals.by_payer else Decimal("0"),
            insurance_total=totals.by_payer[Payer.INSURANCE].total
            if Payer.INSURANCE in totals.by_payer
            else Decimal("0"),
            totals={payer: {k: str(v) for k, v in vars(t).items()} for payer, t in totals.by_payer.items()},
            work_explained=self.ctx.rng.random() < 0.95,
            next_service_due_date=due_on,
            next_service_due_km=due_km,
        )

    def _stop(self, order, events, lines, *, cancel=False, addition=None, clocks=(), inspections=(), settlement=None):
        """Keep the order as it stood at the end of the demo period (open ones are today's work), or cancel it."""
        now = self.ctx.latest
        events = [e for e in events if e.at <= now]
        order.status = events[-1].to_status if events else S.OPEN
        for stamp in STAMPS:
            if getattr(order, stamp) and getattr(order, stamp) > now:
                setattr(order, stamp, None)
        if cancel:
            order.cancelled_at = self.later(events[-1].at, 5) if events else order.opened_at
            order.cancel_reason = "客户嫌贵，暂不维修"
            events.append(
                RepairOrderEvent(
                    action="cancel",
                    from_status=order.status,
                    to_status=S.CANCELLED,
                    at=order.cancelled_at,
                    by=order.advisor,
                    note=order.cancel_reason,
                )
            )
            order.status = S.CANCELLED
        if order.status == S.IN_REPAIR and not clocks:
            # Work going on right now: the first job is clocked on (a technician is on one job at a time).
            job = next(line for line in lines if line.kind == LineKind.LABOUR)
            job.started_at = order.repair_started_at
            if job.technician_id in self.clocked_on:
                job.work_status, job.pause_reason = WorkStatus.PAUSED, PauseReason.WAITING_PARTS
            else:
                self.clocked_on.add(job.technician_id)
                job.work_status = WorkStatus.IN_PROGRESS
                clocks = [LabourClock(technician=job.technician, started_at=job.started_at)]
                clocks[0].line_ref = job
        if addition is not None and addition.decision_at and addition.decision_at > now:
            addition.status, addition.decision_at, addition.decision_method = AdditionStatus.CONTACTED, None, ""
            addition.decided_by_customer, addition.decision_recorded_by, addition.approved_amount = "", None, None
        order.version = 1 + len(events)
        self.orders.append(order)
        self.children.append((events, lines, addition, list(clocks), list(inspections), settlement))
        return order

    def save(self) -> None:
        """Write everything; comebacks after the visits they point at (bulk insert sets the primary keys)."""
        pairs = list(zip(self.orders, self.children, strict=True))
        firsts = [pair for pair in pairs if pair[0].comeback_of is None]
        comebacks = [pair for pair in pairs if pair[0].comeback_of is not None]
        for batch in (firsts, comebacks):
            if batch:
                self._save_batch(batch)

    def _save_batch(self, pairs) -> None:
        orders = [order for order, _children in pairs]
        opened = [order.opened_at for order in orders]
        bulk_create_with_history(orders, RepairOrder, default_user=self.ctx.admin)
        # auto_now_add stamped "now": put each order's opening time back.
        for order, when in zip(orders, opened, strict=True):
            order.opened_at = when
        RepairOrder.objects.bulk_update(orders, ["opened_at"], batch_size=500)
        events, lines, additions, clocks, inspections, settlements = [], [], [], [], [], []
        for order, (ev, ls, addition, cl, ins, st) in pairs:
            for row in [*ev, *ls, *ins]:
                row.order = order
            events.extend(ev)
            lines.extend(ls)
            inspections.extend(ins)
            clocks.extend(cl)
            if addition is not None:
                addition.order = order
                additions.append(addition)
            if st is not None:
                st.order = order
                settlements.append(st)
        AdditionalItem.objects.bulk_create(additions, batch_size=500)
        for line in lines:
            line.addition = getattr(line, "addition_ref", None)
        RepairOrderLine.objects.bulk_create(lines, batch_size=1000)
        for clock in clocks:
            clock.line = clock.line_ref
        LabourClock.objects.bulk_create(clocks, batch_size=1000)
        RepairOrderEvent.objects.bulk_create(events, batch_size=2000)
        QcInspection.objects.bulk_create(inspections, batch_size=1000)
        findings = []
        for inspection in inspections:
            if hasattr(inspection, "finding"):
                inspection.finding.inspection = inspection  # saved now, as its line: the ids are set
                findings.append(inspection.finding)
        QcFinding.objects.bulk_create(findings, batch_size=1000)
        Settlement.objects.bulk_create(settlements, batch_size=1000)


COMEBACK_LINKED = 0.85  # share of the same-fault revisits the service desk links to the first visit
STILL_THERE = datetime(9999, 1, 1, tzinfo=UTC)  # a vehicle whose order is still open at the end


def _arrival(ctx: DemoContext, dealer, day) -> datetime:
    """When a walk-in customer drops the car off: mostly in the morning, never in the last hour."""
    closing = ctx.closing(dealer, datetime.combine(day, time(12), tzinfo=ctx.calendar(dealer).zone))
    last = (closing - timedelta(hours=1)).time() if closing else time(17)
    if ctx.rng.random() < 0.6:
        return ctx.open_moment(dealer, day, latest=min(time(11, 30), last))
    return ctx.open_moment(dealer, day, earliest=time(11, 30), latest=last)


def create_repair_orders(ctx: DemoContext) -> None:
    """The planned visits of every demo dealer as repair orders, in time order: booked and walk-in visits,
    same-fault revisits after weak repairs (comebacks), today's work in progress.

    A vehicle is at the dealer from its arrival until it is handed over (or the order is cancelled): a walk-in
    or revisit while it is still there comes a few days after it left, and a booked visit then is cancelled.
    """
    total = 0
    for index, dealer in enumerate(ctx.dealers, start=1):
        profile = PROFILES[(index - 1) % len(PROFILES)]
        operations = {
            code: op
            for code, op in zip(
                [o[0] for o in OPERATIONS],
                LabourOperation.objects.bulk_create(
                    LabourOperation(
                        dealer=dealer,
                        code=code,
                        name=name,
                        job_type=job,
                        standard_hours=Decimal(hours),
                        fault_category=OPERATION_FAULTS.get(code, ""),
                    )
                    for code, name, job, hours in OPERATIONS
                ),
                strict=True,
            )
        }
        staff = {
            "advisor": ctx.users[f"advisor{index}"],
            "foreman": ctx.users[f"foreman{index}"],
            "qc": ctx.users[f"qc{index}"],
            "techs": _technicians(ctx, index, dealer),
        }
        builder = _Builder(ctx, dealer, profile, staff, operations)
        # (arrival, sequence, vehicle, job type, fault, appointment, comeback of); a heap, as revisits join later.
        queue, sequence = [], itertools.count()
        for visit in ctx.visit_plan.get(dealer.pk, []):
            arrived = visit.arrived_at or _arrival(ctx, dealer, visit.day)
            fault = _fault(ctx, visit.job_type)
            heapq.heappush(
                queue, (arrived, next(sequence), visit.vehicle, visit.job_type, fault, visit.appointment, None)
            )
        away_until: dict[int, datetime] = {}  # vehicle -> when it left the dealer (STILL_THERE: not yet)
        linked, cancelled = [], []
        while queue:
            arrived, _n, vehicle, job_type, fault, appointment, comeback_of = heapq.heappop(queue)
            busy = away_until.get(vehicle.pk)
            if busy is not None and busy > arrived:
                if appointment is not None:
                    cancelled.append(appointment)
                elif busy != STILL_THERE:
                    again = ctx.working_day(dealer, local_date(busy) + timedelta(days=ctx.rng.randint(2, 6)))
                    if comeback_of is not None and again > local_date(comeback_of.delivered_at) + timedelta(days=28):
                        comeback_of = None  # too long after for the desk to link it
                    if again <= ctx.until:
                        heapq.heappush(
                            queue,
                            (_arrival(ctx, dealer, again), next(sequence), vehicle, job_type, fault, None, comeback_of),
                        )
                continue
            order = builder.visit(vehicle, arrived, job_type, fault, comeback_of=comeback_of)
            if order is None:
                continue
            away_until[vehicle.pk] = order.delivered_at or order.cancelled_at or STILL_THERE
            if appointment is not None:
                linked.append((appointment, order))
            # A repair that did not hold: the same fault again within a few weeks (not a revisit of a revisit).
            if (
                comeback_of is None
                and order.delivered_at
                and order.fault_category != FaultCategory.NONE
                and ctx.rng.random() < profile.comeback
            ):
                back = ctx.working_day(dealer, local_date(order.delivered_at) + timedelta(days=ctx.rng.randint(2, 25)))
                if back <= ctx.until:
                    link = order if ctx.rng.random() < COMEBACK_LINKED else None
                    heapq.heappush(
                        queue,
                        (
                            _arrival(ctx, dealer, back),
                            next(sequence),
                            vehicle,
                            JobType.REPAIR,
                            order.fault_category,
                            None,
                            link,
                        ),
                    )
        builder.save()
        # What became of the bookings is saved by the next step (appointments.demo.record_bookings); when the desk
        # cancelled one is drawn here, in this step's random stream.
        ctx.booked_orders.extend(linked)
        for appointment in cancelled:  # the car was still in the workshop: the desk cancelled the booking
            cancelled_at = ctx.back_in_hours(
                dealer, appointment.slot_start - timedelta(hours=20), not_before=appointment.created_at
            )
            ctx.cancelled_bookings.append((appointment, cancelled_at, staff["advisor"]))
        total += len(builder.orders)
    ctx.say(f"  {total} repair orders")


def _fault(ctx: DemoContext, job_type: str) -> str:
    if job_type in (JobType.MAINTENANCE, JobType.INSPECTION):
        return FaultCategory.NONE
    if job_type == JobType.ACCIDENT:
        return FaultCategory.BODY
    return ctx.rng.choice([c for c in FaultCategory.values if c not in (FaultCategory.NONE, FaultCategory.BODY)])


# The named bays (工位) of a demo workshop, as many as the dealer has bays: the alignment rig, an EV bay, the quick
# service lane and the wash first, lifts for the rest (a small workshop keeps the alignment rig and lifts only).
SPECIAL_BAYS = [
    ("AL", "四轮定位工位", BayKind.ALIGNMENT),
    ("EV", "新能源工位", BayKind.EV),
    ("QS", "快修工位", BayKind.QUICK_SERVICE),
    ("WS", "洗车工位", BayKind.WASH),
]


def create_bays(ctx: DemoContext) -> None:
    """Each demo dealer's named bays, and the cars in the workshop at the end of the demo on them (by promised
    time, from their dispatch): deterministic, no draw from the random stream."""
    bays = occupied = 0
    for dealer in ctx.dealers:
        specials = SPECIAL_BAYS[: max(1, min(len(SPECIAL_BAYS), dealer.service_bays - 4))]
        lifts = dealer.service_bays - len(specials)
        rows = [WorkshopBay(dealer=dealer, code=f"L{n:02d}", name=f"举升机 {n}号", kind=BayKind.LIFT, position=n)
                for n in range(1, lifts + 1)]  # fmt: skip
        rows += [WorkshopBay(dealer=dealer, code=code, name=name, kind=kind, position=lifts + n)
                 for n, (code, name, kind) in enumerate(specials, start=1)]  # fmt: skip
        bulk_create_with_history(rows, WorkshopBay, default_user=ctx.admin)
        bays += len(rows)
        lift_bays = [bay for bay in rows if bay.kind == BayKind.LIFT]
        in_workshop = (
            RepairOrder.objects.filter(dealer=dealer, status__in=BAY_STATUSES, dispatched_at__isnull=False)
            .order_by("promised_at", "id")
            .only("id", "dispatched_at")
        )
        foreman = ctx.users.get(f"foreman{ctx.dealers.index(dealer) + 1}", ctx.admin)
        placed = [BayOccupancy(bay=bay, order=order, started_at=order.dispatched_at, placed_by=foreman)
                  for bay, order in zip(lift_bays, in_workshop, strict=False)]  # fmt: skip
        BayOccupancy.objects.bulk_create(placed)
        occupied += len(placed)
    ctx.say(f"  {bays} service bays, {occupied} cars on them")
