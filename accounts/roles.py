"""Which model permissions each role (Django group) holds; kept in step after every migrate."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from accounts.choices import Role

VIEW = ("view",)
EDIT = ("view", "add", "change")
ALL = ("view", "add", "change", "delete")

RO_DESK = ("view", "add", "change", "advise")

# The stock room: catalogue, prices, stock, the ledger (post only), reservations, purchasing, stock-take.
STOCKROOM = {
    "parts.part": EDIT,
    "parts.partprice": EDIT,
    "parts.warehouse": EDIT,
    "parts.stockitem": EDIT,
    "parts.stockmovement": ("view", "add"),
    "parts.stockreservation": EDIT,
    "parts.specialorder": EDIT,
    "parts.supplier": EDIT,
    "parts.purchaseorder": EDIT,
    "parts.purchaseorderline": EDIT,
    "parts.goodsreceipt": EDIT,
    "parts.stocktake": EDIT,
    "parts.stocktakeline": EDIT,
}

# role -> {"app_label.model": actions}; later domains add their models here.
# Actions are "view/add/change/delete" or a custom permission "<action>_<model>".
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.SERVICE_ADVISOR: {
        "parts.part": VIEW,
        "parts.partprice": VIEW,
        "parts.warehouse": VIEW,
        "parts.stockitem": VIEW,
        "parts.stockmovement": VIEW,
        "parts.stockreservation": ("view", "add", "change"),
        "parts.specialorder": ("view", "add"),
        "warranty.warrantyclaim": EDIT,
        "warranty.warrantypolicy": VIEW,
        "appointments.appointment": EDIT,
        "todo.task": ("view", "change"),
        "repairs.repairorder": RO_DESK,
        "repairs.repairorderline": ALL,
        "repairs.labouroperation": VIEW,
        "organization.dealer": VIEW,
        "customers.customer": EDIT,
        "customers.vehicle": EDIT,
        "customers.vehicleownership": EDIT,
    },
    Role.TECHNICIAN: {
        "parts.part": VIEW,
        "parts.stockitem": VIEW,
        "warranty.warrantyclaim": VIEW,
        "warranty.warrantypolicy": VIEW,
        "appointments.appointment": VIEW,
        "todo.task": ("view", "change"),
        "repairs.repairorder": ("view", "work"),
        "repairs.repairorderline": VIEW,
        "organization.dealer": VIEW,
        "customers.customer": VIEW,
        "customers.vehicle": VIEW,
    },
    Role.FOREMAN: {
        "parts.part": VIEW,
        "parts.stockitem": VIEW,
        "parts.stockreservation": VIEW,
        "warranty.warrantyclaim": VIEW,
        "warranty.warrantypolicy": VIEW,
        "appointments.appointment": VIEW,
        "todo.task": ("view", "change"),
        "repairs.repairorder": ("view", "dispatch", "work"),
        "repairs.repairorderline": VIEW,
        "repairs.labouroperation": VIEW,
        "organization.dealer": VIEW,
        "customers.customer": VIEW,
        "customers.vehicle": VIEW,
    },
    Role.QC_INSPECTOR: {
        "parts.part": VIEW,
        "warranty.warrantyclaim": VIEW,
        "warranty.warrantypolicy": VIEW,
        "appointments.appointment": VIEW,
        "todo.task": ("view", "change"),
        "repairs.repairorder": ("view", "inspect"),
        "repairs.repairorderline": VIEW,
        "organization.dealer": VIEW,
        "customers.customer": VIEW,
        "customers.vehicle": VIEW,
    },
    Role.PARTS_CLERK: {
        **STOCKROOM,
        "warranty.warrantyclaim": VIEW,
        "warranty.warrantypolicy": VIEW,
        "appointments.appointment": VIEW,
        "todo.task": ("view", "change"),
        "repairs.repairorder": VIEW,
        "repairs.repairorderline": VIEW,
        "organization.dealer": VIEW,
        "customers.customer": VIEW,
        "customers.vehicle": VIEW,
    },
    Role.CASHIER: {
        "appointments.appointment": VIEW,
        "todo.task": ("view", "change"),
        "repairs.repairorder": VIEW,
        "repairs.repairorderline": VIEW,
        "organization.dealer": VIEW,
        "customers.customer": VIEW,
        "customers.vehicle": VIEW,
    },
    Role.FOLLOWUP_SPECIALIST: {
        "parts.part": VIEW,
        "warranty.warrantyclaim": VIEW,
        "warranty.warrantypolicy": VIEW,
        "appointments.appointment": EDIT,
        "todo.task": ("view", "change"),
        "repairs.repairorder": VIEW,
        "repairs.repairorderline": VIEW,
        "organization.dealer": VIEW,
        "customers.customer": ("view", "change"),
        "customers.vehicle": VIEW,
    },
    Role.SERVICE_MANAGER: {
        **STOCKROOM,
        "warranty.warrantyclaim": (*ALL, "decide"),
        "warranty.warrantypolicy": VIEW,
        "appointments.appointment": EDIT,
        "todo.task": ("view", "change"),
        "repairs.repairorder": (*RO_DESK, "dispatch", "work", "inspect"),
        "repairs.repairorderline": ALL,
        "repairs.labouroperation": ALL,
        "organization.dealer": VIEW,
        "customers.customer": EDIT,
        "customers.vehicle": EDIT,
        "customers.vehicleownership": EDIT,
    },
    Role.REGION_MANAGER: {
        "parts.specialorder": VIEW,
        "parts.supplier": VIEW,
        "parts.purchaseorder": VIEW,
        "parts.purchaseorderline": VIEW,
        "parts.goodsreceipt": VIEW,
        "parts.stocktake": VIEW,
        "parts.stocktakeline": VIEW,
        "parts.stockreservation": VIEW,
        "parts.part": VIEW,
        "parts.partprice": VIEW,
        "parts.warehouse": VIEW,
        "parts.stockitem": VIEW,
        "parts.stockmovement": VIEW,
        "warranty.warrantyclaim": VIEW,
        "warranty.warrantypolicy": VIEW,
        "appointments.appointment": VIEW,
        "todo.task": VIEW,
        "repairs.repairorder": VIEW,
        "repairs.repairorderline": VIEW,
        "repairs.labouroperation": VIEW,
        "organization.dealer": VIEW,
        "organization.region": VIEW,
        "customers.customer": VIEW,
        "customers.vehicle": VIEW,
        "customers.vehicleownership": VIEW,
    },
    Role.ADMINISTRATOR: {
        "parts.part": ALL,
        "parts.partprice": ALL,
        "parts.warehouse": ALL,
        "parts.stockitem": ALL,
        "parts.stockmovement": ("view", "add"),
        "parts.stockreservation": ALL,
        "parts.specialorder": ALL,
        "parts.supplier": ALL,
        "parts.purchaseorder": ALL,
        "parts.purchaseorderline": ALL,
        "parts.goodsreceipt": ALL,
        "parts.stocktake": ALL,
        "parts.stocktakeline": ALL,
        "warranty.warrantyclaim": (*ALL, "decide"),
        "warranty.warrantypolicy": ALL,
        "appointments.appointment": ALL,
        "todo.task": ALL,
        "repairs.repairorder": (*ALL, "advise", "dispatch", "work", "inspect"),
        "repairs.repairorderline": ALL,
        "repairs.labouroperation": ALL,
        "organization.oem": ALL,
        "organization.brand": ALL,
        "organization.region": ALL,
        "organization.dealer": ALL,
        "accounts.user": ALL,
        "accounts.dealermembership": ALL,
        "accounts.regionmembership": ALL,
        "customers.customer": ALL,
        "customers.vehicle": ALL,
        "customers.vehicleownership": ALL,
    },
}


# Staff (员工): the service manager keeps the files; everyone sees their own profile and scorecard and
# assesses colleagues (peer assessment); region managers read.
_STAFF_SELF = {"staff.staffprofile": ("view_own",), "staff.assessment": ("add",)}
_STAFF_ROLES = (
    Role.SERVICE_ADVISOR,
    Role.TECHNICIAN,
    Role.FOREMAN,
    Role.QC_INSPECTOR,
    Role.PARTS_CLERK,
    Role.FOLLOWUP_SPECIALIST,
)
_STAFF_MODELS = ("staffprofile", "staffskill", "certificate", "trainingcourse", "trainingrecord",
                 "trainingrequirement", "assessment")  # fmt: skip
STAFF_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    **{role: _STAFF_SELF for role in _STAFF_ROLES},
    Role.SERVICE_MANAGER: {
        **{f"staff.{model}": EDIT for model in _STAFF_MODELS},
        "staff.staffprofile": (*EDIT, "view_own"),
        "staff.staffskill": ALL,
    },
    Role.REGION_MANAGER: {f"staff.{model}": VIEW for model in _STAFF_MODELS},
    Role.ADMINISTRATOR: {
        **{f"staff.{model}": ALL for model in _STAFF_MODELS},
        "staff.staffprofile": (*ALL, "view_own"),
    },
}
for _role, _grants in STAFF_GRANTS.items():
    ROLE_PERMISSIONS[_role].update(_grants)

# Complaints (投诉): advisors and follow-up specialists take complaints and log contacts; the service manager
# owns, changes, resolves, reopens, reassigns and acknowledges crisis alerts; region managers read.
COMPLAINT_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.SERVICE_ADVISOR: {
        "complaints.complaint": ("view", "add"),
        "complaints.complaintcontact": ("view", "add"),
        "complaints.crisisalert": VIEW,
    },
    Role.FOLLOWUP_SPECIALIST: {
        "complaints.complaint": ("view", "add"),
        "complaints.complaintcontact": ("view", "add"),
        "complaints.crisisalert": VIEW,
    },
    Role.SERVICE_MANAGER: {
        "complaints.complaint": (*EDIT, "resolve"),
        "complaints.complaintcontact": ("view", "add"),
        "complaints.crisisalert": ("view", "acknowledge"),
        "complaints.complaintpolicy": VIEW,
        "organization.dealercalendarday": VIEW,
    },
    Role.REGION_MANAGER: {
        "complaints.complaint": VIEW,
        "complaints.complaintcontact": VIEW,
        "complaints.crisisalert": VIEW,
        "complaints.complaintpolicy": VIEW,
        "organization.dealercalendarday": VIEW,
    },
    Role.ADMINISTRATOR: {
        "complaints.complaint": (*ALL, "resolve"),
        "complaints.complaintcontact": ALL,
        "complaints.crisisalert": (*ALL, "acknowledge"),
        "complaints.complaintpolicy": ALL,
        "organization.dealercalendarday": ALL,
    },
}
for _role, _grants in COMPLAINT_GRANTS.items():
    ROLE_PERMISSIONS[_role].update(_grants)

# Customer care (客户关怀): follow-up specialists and the service manager run calls, letters, reminders,
# campaigns and the lapsed-customer watch; advisors record calls and work reminders; region managers read.
_CARE_MODELS = ("callrecord", "letter", "reminder", "campaign", "campaigntarget", "lapsenote", "outboundmessage")
_CARE_TEAM = {
    "care.callrecord": ("view", "add"),
    "care.letter": ("view", "add"),
    "care.reminder": EDIT,
    "care.campaign": EDIT,
    "care.campaigntarget": EDIT,
    "care.lapsenote": ("view", "add"),
    "care.outboundmessage": ("view", "add"),
}
CARE_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.FOLLOWUP_SPECIALIST: _CARE_TEAM,
    Role.SERVICE_MANAGER: _CARE_TEAM,
    Role.SERVICE_ADVISOR: {
        "care.callrecord": ("view", "add"),
        "care.letter": VIEW,
        "care.reminder": ("view", "change"),
        "care.outboundmessage": ("view", "add"),
    },
    Role.REGION_MANAGER: {f"care.{model}": VIEW for model in _CARE_MODELS},
}
for _role, _grants in CARE_GRANTS.items():
    ROLE_PERMISSIONS[_role].update(_grants)

# Satisfaction surveys (满意度调查): follow-up specialists take phone surveys, send links and read the results;
# advisors (re)send links; the service manager also makes questionnaire versions and the settings; regions read.
_SURVEY_MODELS = ("questionnaire", "question", "dealersurveysettings", "surveyinvitation", "surveyresponse",
                  "surveyanswer")  # fmt: skip
_SURVEY_TEAM = {
    "surveys.questionnaire": VIEW,
    "surveys.question": VIEW,
    "surveys.dealersurveysettings": VIEW,
    "surveys.surveyinvitation": ("view", "change"),
    "surveys.surveyresponse": ("view", "add"),
    "surveys.surveyanswer": VIEW,
}
SURVEY_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.FOLLOWUP_SPECIALIST: _SURVEY_TEAM,
    Role.SERVICE_ADVISOR: {"surveys.questionnaire": VIEW, "surveys.surveyinvitation": ("view", "change")},
    Role.SERVICE_MANAGER: {
        **_SURVEY_TEAM,
        "surveys.questionnaire": ("view", "add"),
        "surveys.dealersurveysettings": ("view", "change"),
    },
    Role.REGION_MANAGER: {f"surveys.{model}": VIEW for model in _SURVEY_MODELS},
    Role.ADMINISTRATOR: {f"surveys.{model}": ALL for model in _SURVEY_MODELS},
}
for _role, _grants in SURVEY_GRANTS.items():
    ROLE_PERMISSIONS[_role].update(_grants)

# Evaluation: administrators edit and publish indicator systems (their OEMs'); managers read them. Audits (体系审核):
# the service manager self-audits and confirms official audits; region managers conduct official audits of their
# regions' dealers (custom "conduct", scoped in evaluation.services.audits) and confirm self-audits.
_EVAL_READ = {"evaluation.indicatorsystem": VIEW, "evaluation.audittemplate": VIEW}
EVALUATION_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.SERVICE_MANAGER: {**_EVAL_READ, "evaluation.audit": ("view", "add", "change", "confirm")},
    Role.REGION_MANAGER: {**_EVAL_READ, "evaluation.audit": ("view", "conduct", "confirm")},
    Role.ADMINISTRATOR: {
        "evaluation.indicatorsystem": ("view", "add", "change", "publish"),
        "evaluation.audittemplate": ALL,
        "evaluation.audit": VIEW,
    },
}
for _role, _grants in EVALUATION_GRANTS.items():
    ROLE_PERMISSIONS[_role].update(_grants)

# Evaluation runs (monthly snapshots): region managers and administrators run them for their scope, administrators
# publish; service managers read their own dealer's results.
RUN_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.SERVICE_MANAGER: {"evaluation.evaluationrun": VIEW, "evaluation.dealerevaluation": VIEW},
    Role.REGION_MANAGER: {"evaluation.evaluationrun": ("view", "add"), "evaluation.dealerevaluation": VIEW},
    Role.ADMINISTRATOR: {"evaluation.evaluationrun": ("view", "add", "publish"), "evaluation.dealerevaluation": VIEW},
}
for _role, _grants in RUN_GRANTS.items():
    ROLE_PERMISSIONS[_role].update(_grants)

# Quality alerts and improvement actions (PDCA): the service manager acknowledges/dismisses the dealer's alerts and
# plans and updates its actions; region managers read; administrators do all of it for the dealers they work for.
ALERT_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.SERVICE_MANAGER: {"evaluation.qualityalert": ("view", "change"), "evaluation.improvementaction": EDIT},
    Role.REGION_MANAGER: {"evaluation.qualityalert": VIEW, "evaluation.improvementaction": VIEW},
    Role.ADMINISTRATOR: {"evaluation.qualityalert": ("view", "change"), "evaluation.improvementaction": EDIT},
}
for _role, _grants in ALERT_GRANTS.items():
    ROLE_PERMISSIONS[_role].update(_grants)

# Quality reports (月度/年度服务质量报告): the service manager makes and reads the dealer's; region managers and
# administrators also a whole region's ("regional": the ranking of all its dealers).
REPORT_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.SERVICE_MANAGER: {"reports.qualityreport": ("view", "add")},
    Role.REGION_MANAGER: {"reports.qualityreport": ("view", "add", "regional")},
    Role.ADMINISTRATOR: {"reports.qualityreport": ("view", "add", "regional")},
}
for _role, _grants in REPORT_GRANTS.items():
    ROLE_PERMISSIONS[_role].update(_grants)

# Issue 13 — each block is filled by its own domain; keep them apart (one block per app).
# Cashiering (收银): the cashier and the service manager take payments; region managers read.
# The service manager also lets a car go unpaid (a delivery exception); the advisor sees what is paid and open.
_CASH_DESK = {
    "cashiering.payment": ("view", "add", "void"),
    "cashiering.invoice": ("view", "add", "void"),
    "cashiering.deliveryexception": VIEW,
}
_CASHIERING_READ = {f"cashiering.{model}": VIEW for model in ("payment", "invoice", "deliveryexception")}
CASHIERING_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.CASHIER: _CASH_DESK,
    Role.SERVICE_MANAGER: {**_CASH_DESK, "cashiering.deliveryexception": ("view", "add")},
    Role.SERVICE_ADVISOR: _CASHIERING_READ,
    Role.REGION_MANAGER: _CASHIERING_READ,
    Role.ADMINISTRATOR: {**_CASH_DESK, "cashiering.deliveryexception": ("view", "add")},
}
for _role, _grants in CASHIERING_GRANTS.items():
    ROLE_PERMISSIONS[_role].update(_grants)

# Service packages (保养套餐): the service manager maintains them; the desk reads and adds them to estimates.
_PACKAGE_READ = {"packages.servicepackage": VIEW, "packages.servicepackageitem": VIEW}
PACKAGE_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.SERVICE_MANAGER: {
        "packages.servicepackage": ALL,
        "packages.servicepackageitem": ALL,
        "packages.packageapplication": ("view", "add"),
    },
    Role.SERVICE_ADVISOR: {**_PACKAGE_READ, "packages.packageapplication": ("view", "add")},
    Role.FOREMAN: {**_PACKAGE_READ, "packages.packageapplication": VIEW},
    Role.REGION_MANAGER: {**_PACKAGE_READ, "packages.packageapplication": VIEW},
    Role.ADMINISTRATOR: {
        "packages.servicepackage": ALL,
        "packages.servicepackageitem": ALL,
        "packages.packageapplication": ("view", "add"),
    },
}
for _role, _grants in PACKAGE_GRANTS.items():
    ROLE_PERMISSIONS[_role].update(_grants)

# Notifications (通知): everyone reads and marks their own. The view permission is the only one: the inbox, the badge
# and the API show a user their own notifications only (Notification.objects.for_user), and marking one read is part
# of reading it; nobody adds, changes or deletes notifications by hand (the domains' events write them).
NOTIFICATION_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    role: {"notifications.notification": VIEW} for role in Role
}
for _role, _grants in NOTIFICATION_GRANTS.items():
    ROLE_PERMISSIONS[_role].update(_grants)

# Workshop economics (车间效率与经营): attendance and the efficiency/economics reports.
ECONOMICS_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.FOREMAN: {"economics.attendance": ALL},
    Role.SERVICE_MANAGER: {"economics.attendance": (*ALL, "view_economics"), "economics.costrate": EDIT},
    Role.REGION_MANAGER: {"economics.attendance": ("view", "view_economics"), "economics.costrate": VIEW},
    Role.ADMINISTRATOR: {"economics.attendance": (*ALL, "view_economics"), "economics.costrate": ALL},
}
for _role, _grants in ECONOMICS_GRANTS.items():
    ROLE_PERMISSIONS[_role].update(_grants)

# Workshop planning (车间计划): the service manager keeps the named bays (工位); foremen and region managers read them.
PLANNING_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.SERVICE_MANAGER: {"repairs.workshopbay": EDIT},
    Role.FOREMAN: {"repairs.workshopbay": VIEW},
    Role.REGION_MANAGER: {"repairs.workshopbay": VIEW},
    Role.ADMINISTRATOR: {"repairs.workshopbay": ALL},
}
for _role, _grants in PLANNING_GRANTS.items():
    ROLE_PERMISSIONS[_role].update(_grants)


def sync_role_groups(using: str = "default") -> None:
    """Create one group per role and set exactly the permissions listed for it."""
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=str(role))
        wanted = []
        for model_label, actions in grants.items():
            app_label, model = model_label.split(".")
            codenames = [f"{action}_{model}" for action in actions]
            wanted.extend(
                Permission.objects.using(using).filter(content_type__app_label=app_label, codename__in=codenames)
            )
        group.permissions.set(wanted)


def sync_role_groups_after_migrate(sender, using="default", plan=None, **kwargs) -> None:
    """post_migrate receiver: run once, after the last app of a migrate (ours) is done."""
    if sender.name != "accounts" and sender.label != "accounts":
        return
    if not Permission._meta.db_table or not global_apps.is_installed("accounts"):
        return
    sync_role_groups(using=using)
