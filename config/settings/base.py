"""Settings shared by every environment; values that differ come from the environment (12-factor)."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable as a list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    # core before django_tasks_db: its db_worker (the library's, plus a heartbeat) is the one manage.py finds.
    "core",
    "django_tasks",
    "django_tasks_db",
    # Our apps, one per domain.
    "accounts",
    "organization",
    "notifications",
    "customers",
    "repairs",
    "warranty",
    "parts",
    "cashiering",
    "packages",
    "appointments",
    "todo",
    "care",
    "complaints",
    "surveys",
    "staff",
    "economics",
    "evaluation",
    "reports",
    # Pages and commands that put the domains together (the top of the import layers, .importlinter).
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
# Form widgets may use the project's templates (templates/widgets/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "notifications.context_processors.badge",
            ],
        },
    },
]

# SQLite (WAL) is the embedded default; PostgreSQL via DATABASE_URL in production.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            # WAL lets readers work while one writer commits; IMMEDIATE avoids
            # "database is locked" upgrades inside write transactions.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
            "transaction_mode": "IMMEDIATE",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# The public address customers reach the site at (e.g. https://service.example.com): the survey links sent at
# delivery are made absolute with it; links re-issued from a page use the request's own address.
SURVEY_PUBLIC_BASE_URL = os.environ.get("SURVEY_PUBLIC_BASE_URL", "")

# What other domains do at a repair order's events (repairs sits below them and never imports them): dotted paths,
# called in this order inside the repairs service's transaction by repairs.hooks.run.
REPAIRS_HOOKS = {
    # The customer approved part lines (the estimate or an additional item): reserve or special-order them.
    "approved": ["parts.services.stock.repair_order_request_parts"],
    # The car was handed over: the first follow-up call, then the survey invitation.
    "delivered": ["care.services.schedule_first_follow_up", "surveys.services.survey_invite_after_delivery"],
    # Technicians at a dealer without a valid certificate (sets of user ids): the order page warns before dispatch.
    "uncertified_technicians": ["staff.selectors.uncertified_technician_ids"],
    # Before the handover: a hook raises ValidationError when the car may not leave yet (cashiering: unpaid).
    "delivering": ["cashiering.services.guard_delivery"],
    # At delivery: what to suggest for the next service ({"package": …, "due_on": …, "due_km": …} or None).
    "next_service": ["packages.services.next_service"],
    # The dispatch panel: {user_id: {"skills": [...], "certificates": [...]}} of a dealer's technicians.
    "technician_profiles": ["staff.selectors.technician_profiles"],
}

# What the staff scorecard takes from the evaluation (staff sits below it and never imports it): staff.hooks.
STAFF_HOOKS = {
    # {dealer_id: minimum records per figure} of the indicator-system version each dealer is evaluated with.
    "min_samples": "evaluation.selectors.systems.min_samples",
    # Whether a figure (code, n, minimum) stands on enough records for a rank.
    "enough_data": "evaluation.models.systems.enough_data",
    # The period an indicator's figure of [start, end) judges (B1: the deliveries of a month earlier).
    "judged_period": "evaluation.selectors.measures.judged_period",
    # The drill-down of an indicator filtered to a person, or None when the reader may not open it.
    "records_url": "evaluation.selectors.measures.drilldown_url",
}

REST_FRAMEWORK = {
    # Token first: an unauthenticated API call gets 401 with "WWW-Authenticate: Token".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "AfterSales QMS API",
    "DESCRIPTION": "After-sales service management and service-quality evaluation for car dealerships.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "RepairOrderStatusEnum": "repairs.choices.RepairOrderStatus",
        "LineKindEnum": "repairs.choices.LineKind",
        "PaymentKindEnum": "cashiering.choices.PaymentKind",
        "DeskPaymentMethodEnum": "cashiering.choices.PaymentMethod",
        "CustomerKindEnum": "customers.choices.CustomerKind",
        "WarrantyClaimStatusEnum": "warranty.choices.ClaimStatus",
        "TaskKindEnum": "todo.choices.TaskKind",
        "TaskStatusEnum": "todo.choices.TaskStatus",
        "CallDirectionEnum": "care.choices.CallDirection",
        "CallPurposeEnum": "care.choices.CallPurpose",
        "CallOutcomeEnum": "care.choices.CallOutcome",
        "LetterKindEnum": "care.choices.LetterKind",
        "LetterMediumEnum": "care.choices.LetterMedium",
        "ReminderKindEnum": "care.choices.ReminderKind",
        "ReminderStatusEnum": "care.choices.ReminderStatus",
        "CampaignKindEnum": "care.choices.CampaignKind",
        "CampaignStatusEnum": "care.choices.CampaignStatus",
        "CampaignTargetStatusEnum": "care.choices.TargetStatus",
        "ComplaintChannelEnum": "complaints.choices.Channel",
        "ComplaintCategoryEnum": "complaints.choices.Category",
        "ComplaintSeverityEnum": "complaints.choices.Severity",
        "ComplaintStatusEnum": "complaints.choices.Status",
        "ComplaintContactChannelEnum": "complaints.choices.ContactChannel",
        "AppointmentChannelEnum": "appointments.choices.AppointmentChannel",
        "AppointmentStatusEnum": "appointments.choices.AppointmentStatus",
        "FaultCategoryEnum": "repairs.choices.FaultCategory",
        "AssessmentKindEnum": "staff.choices.AssessmentKind",
        "IndicatorDirectionEnum": "evaluation.choices.IndicatorDirection",
        "DimensionSourceEnum": "evaluation.choices.DimensionSource",
        "SystemVersionStatusEnum": "evaluation.choices.SystemVersionStatus",
        "AhpMethodEnum": "evaluation.choices.AhpMethod",
        "WeightingModeEnum": "evaluation.choices.WeightingMode",
        "QualityReportStatusEnum": "reports.choices.ReportStatus",
        "QualityReportPeriodEnum": "reports.choices.PeriodKind",
        "QualityReportFormatEnum": "reports.choices.ReportFormat",
        "AuditKindEnum": "evaluation.choices.AuditKind",
        "AuditStatusEnum": "evaluation.choices.AuditStatus",
        "AuditAdjustmentKindEnum": "evaluation.choices.AdjustmentKind",
        "QualityAlertKindEnum": "evaluation.choices.AlertKind",
        "QualityAlertStatusEnum": "evaluation.choices.AlertStatus",
        "AlertReasonKindEnum": "evaluation.choices.AlertReasonKind",
        "ImprovementActionStatusEnum": "evaluation.choices.ActionStatus",
        "NotificationEventEnum": "notifications.choices.Event",
    },
}

# Where staff notifications go besides the inbox (notifications.channels: dotted paths of Channel classes, e.g.
# "notifications.channels.LoggingChannel" or an SMS / WeChat Work adapter); customers are messaged by care, not here.
NOTIFICATION_CHANNELS = env_list("NOTIFICATION_CHANNELS")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# Reverting from the admin would restore old versions and bypass the services' rules.
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
