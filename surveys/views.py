"""Pages of satisfaction surveys: the customer's public page, results, invitations, templates, phone survey."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import ListView

from accounts.models import User
from core.exports import xlsx_response
from core.forms import apply_service_errors
from core.history import history_entries
from core.lists import FilteredListMixin, FilteredListView, filter_values
from core.mixins import DealerScopedObjectMixin, RecordActionView
from core.tenancy import dealer_ids_for
from organization.models import Dealer
from repairs.models import RepairOrder
from surveys import kpis, selectors, services
from surveys.choices import Dimension, InvitationStatus, ResponseChannel
from surveys.filtersets import SurveyInvitationFilterSet, SurveyPeriodFilterSet
from surveys.forms import (
    DealerSurveySettingsForm,
    OrderLookupForm,
    QuestionnaireVersionForm,
    SurveyAnswerForm,
)
from surveys.models import Questionnaire, SurveyInvitation, SurveyResponse

PUBLIC_HEADERS = {
    "Cache-Control": "no-store, private",
    "Referrer-Policy": "strict-origin",
    "X-Robots-Tag": "noindex, nofollow",
}


# --- the customer's page (no login) ----------------------------------------------------------------------------


def _public(request, template: str, context: dict, status: int = 200):
    response = render(request, template, context, status=status)
    for name, value in PUBLIC_HEADERS.items():
        response[name] = value
    return response


def _closed(request):
    """The one page for an unknown, mistyped, expired, replaced or used link: it tells nothing apart."""
    return _public(request, "surveys/public_closed.html", {}, status=404)


@never_cache
def public_survey(request, token: str):
    """A customer answers the survey of their visit from the link in the message (GET shows, POST answers once)."""
    if request.method not in ("GET", "POST"):
        return _closed(request)
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return _closed(request)
    questions = services.questions_of(invitation.questionnaire)
    switch_to = request.POST.get("switch_language", "") if request.method == "POST" else ""
    if switch_to in dict(settings.LANGUAGES):
        return _switch_survey_language(request, invitation, questions, switch_to)
    form = SurveyAnswerForm(request.POST if request.method == "POST" else None, questions=questions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.survey_record_response(
                    invitation_or_order=invitation, answers=form.answers(), channel=ResponseChannel.LINK,
                    language=get_language() or "",
                )  # fmt: skip
            except ValidationError as exc:
                if getattr(exc, "code", None) in ("closed", "answered"):
                    return _closed(request)
                apply_service_errors(form, exc)
            else:
                return _public(request, "surveys/public_thanks.html", {"dealer_name": invitation.dealer.name})
        status = 400
    context = {
        "form": form,
        "questionnaire": invitation.questionnaire,
        "visit": services.public_survey_header(invitation),
    }
    return _public(request, "surveys/public_survey.html", context, status=status)


def _switch_survey_language(request, invitation, questions, language: str):
    """The survey page again in another language, with the answers given so far still filled in (nothing is saved;
    the language is remembered as the header's switch does)."""
    translation.activate(language)
    request.LANGUAGE_CODE = language
    names = SurveyAnswerForm(None, questions=questions).fields
    given = {name: request.POST.getlist(name) if len(request.POST.getlist(name)) > 1 else request.POST.get(name)
             for name in names if name in request.POST}  # fmt: skip
    form = SurveyAnswerForm(None, questions=questions, initial=given)
    context = {"form": form, "questionnaire": invitation.questionnaire,
               "visit": services.public_survey_header(invitation)}  # fmt: skip
    response = _public(request, "surveys/public_survey.html", context)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                        samesite=settings.LANGUAGE_COOKIE_SAMESITE)  # fmt: skip
    return response


# --- staff pages ------------------------------------------------------------------------------------------------


@login_required
def surveys_home(request):
    """The menu entry: the results for those who read them, else the invitations."""
    if request.user.has_perm("surveys.view_surveyresponse"):
        return redirect("surveys:results")
    if request.user.has_perm("surveys.view_surveyinvitation"):
        return redirect("surveys:invitation_list")
    raise Http404


class PeriodMixin(FilteredListMixin):
    """The results pages' filters (the responses API's) over the user's dealers' responses of a period."""

    filterset_class = SurveyPeriodFilterSet

    def get_base_queryset(self):
        return selectors.response_list(user=self.request.user)

    def period(self) -> tuple:
        """The period's first and last day (the default period if the form refused one)."""
        self.filterset.is_valid()
        cleaned = self.filterset.form.cleaned_data
        return cleaned["start"], cleaned["end"]

    def dealer_ids(self) -> list[int]:
        dealer = filter_values(self.filterset).get("dealer")
        if dealer:
            return [dealer]
        return list(Dealer.objects.for_user(self.request.user).values_list("pk", flat=True))

    def filter_context(self) -> dict:
        return {**super().filter_context(), "channels": ResponseChannel.choices}


class ResultsView(DealerScopedObjectMixin, PeriodMixin, View):
    """The dealer's survey results for a period: response rate, CSI, NPS, dimensions, advisors, low scores."""

    model = SurveyResponse
    permission_required = "surveys.view_surveyresponse"
    template_name = "surveys/results.html"

    def get(self, request):
        start, end = self.period()
        dealer_ids = self.dealer_ids()
        results = selectors.dealer_results(dealer_ids, start, end)
        dealers = {d.pk: d for d in Dealer.objects.filter(pk__in=list(results))}
        rows = [{**r, "dealer": dealers[pk]} for pk, r in sorted(results.items(), key=lambda kv: dealers[kv[0]].code)]
        total = selectors.totals(results)
        advisors = selectors.advisor_scores(dealer_ids, start, end)
        users = {u.pk: u for u in User.objects.filter(pk__in=list(advisors))}
        advisor_rows = sorted(
            ({"advisor": users.get(pk), **v} for pk, v in advisors.items()),
            key=lambda r: (-(r["score"] or -1), str(r["advisor"])),
        )
        indicators = {Dimension.ATTITUDE: kpis.C1, Dimension.COMPETENCE: kpis.C2}
        dimension_rows = [
            (label, total["dimensions"].get(value), indicators.get(value))
            for value, label in Dimension.choices
            if value in total["dimensions"]
        ]
        low_list = selectors.with_low_score_texts(self.filtered_queryset().filter(low_score=True)[:50])
        context = {
            **self.filter_context(), "rows": rows, "total": total, "advisor_rows": advisor_rows,
            "dimension_rows": dimension_rows, "low_list": low_list, "e1": kpis.E1, "e2": kpis.E2,
        }  # fmt: skip
        return render(request, self.template_name, context)


class ResponseListView(PeriodMixin, FilteredListView):
    model = SurveyResponse
    permission_required = "surveys.view_surveyresponse"
    template_name = "surveys/response_list.html"


class ResponseExportView(DealerScopedObjectMixin, PeriodMixin, View):
    """The responses of the period in Excel: one row per response, its scores and every answer."""

    model = SurveyResponse
    permission_required = "surveys.view_surveyresponse"
    max_rows = 50_000

    def get(self, request):
        responses = self.filtered_queryset().prefetch_related("answers__question")
        dims = Dimension.choices
        header = [
            _("Dealer"), _("RO number"), _("Vehicle"), _("Service advisor"), _("Questionnaire"), _("Channel"),
            _("Taken by"), _("Answered at"), _("CSI (0–100)"), _("Recommendation (0–10)"), _("NPS category"),
            _("Low score"), *[str(label) for _v, label in dims], _("Answers"),
        ]  # fmt: skip

        def rows():
            for r in responses[: self.max_rows]:
                answers = "; ".join(f"{a.question.code}={a.display_value}" for a in r.answers.all())
                yield [
                    r.dealer.code, r.repair_order.number, str(r.vehicle), str(r.repair_order.advisor),
                    f"{r.questionnaire.code} v{r.questionnaire.version}", r.get_channel_display(),
                    str(r.taken_by or ""), timezone.localtime(r.submitted_at).replace(tzinfo=None), r.csi_score,
                    r.nps_score, r.get_nps_category_display(), _("yes") if r.low_score else _("no"),
                    *[r.dimension_scores.get(v) for v, _label in dims], answers,
                ]  # fmt: skip

        return xlsx_response(
            filename="survey-responses.xlsx", sheet_title=_("Survey responses"), header=header, rows=rows()
        )


class ResponseDetailView(DealerScopedObjectMixin, View):
    model = SurveyResponse
    permission_required = "surveys.view_surveyresponse"

    def get(self, request, pk: int):
        response = get_object_or_404(
            self.get_queryset().select_related(
                "dealer", "repair_order__advisor", "customer", "vehicle", "questionnaire", "taken_by",
                "follow_up_task", "invitation",
            ),
            pk=pk,
        )  # fmt: skip
        answers = response.answers.select_related("question").order_by("question__position", "id")
        selectors.with_low_score_texts([response])
        context = {"object": response, "answers": answers, "history": history_entries(response)}
        return render(request, "surveys/response_detail.html", context)


class InvitationListView(FilteredListView):
    model = SurveyInvitation
    permission_required = "surveys.view_surveyinvitation"
    template_name = "surveys/invitation_list.html"
    filterset_class = SurveyInvitationFilterSet

    def get_base_queryset(self):
        return selectors.invitation_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        writable = dealer_ids_for(self.request.user, write=True)
        return {
            **super().get_context_data(**kwargs),
            "statuses": [*InvitationStatus.choices, ("expired", _("Expired"))],
            "can_reissue": self.request.user.has_perm("surveys.change_surveyinvitation"),
            # The RO number opens the phone survey (its own check: permission and a dealer the user may change),
            # else the repair order's page for those who may read it.
            "may_phone_survey": self.request.user.has_perm(PhoneSurveyView.permission_required),
            "may_open_order": self.request.user.has_perm("repairs.view_repairorder"),
            "writable": writable,
        }


ISSUED_LINK_SESSION_KEY = "survey_link_issued"


def _issued_page(request, issued):
    """POST-redirect-GET: the new link waits in the session for the one page that shows it (a refresh of that page
    neither sends another link nor shows this one again)."""
    request.session[ISSUED_LINK_SESSION_KEY] = {"invitation": issued.invitation.pk, "link": issued.link}
    return redirect("surveys:invitation_issued", pk=issued.invitation.pk)


class InvitationIssuedView(DealerScopedObjectMixin, View):
    """The survey link just issued, shown once; what happened to the message to the customer, in one sentence."""

    model = SurveyInvitation
    permission_required = "surveys.change_surveyinvitation"

    def get(self, request, pk: int):
        invitation = get_object_or_404(
            SurveyInvitation.objects.for_user(request.user, write=True).select_related("repair_order", "message"),
            pk=pk,
        )
        pending = request.session.get(ISSUED_LINK_SESSION_KEY) or {}
        link = None
        if pending.get("invitation") == invitation.pk:
            link = pending["link"]
            del request.session[ISSUED_LINK_SESSION_KEY]
        context = {"link": link, "invitation": invitation, "order": invitation.repair_order}
        response = render(request, "surveys/invitation_issued.html", context)
        response["Cache-Control"] = "no-store, private"
        return response


class InvitationReissueView(RecordActionView):
    """Send a new link for an invitation (the old one stops working); the new link is shown once."""

    model = SurveyInvitation
    permission_required = "surveys.change_surveyinvitation"
    related = ("repair_order",)

    def act(self, invitation, data):
        base_url = self.request.build_absolute_uri("/")
        return _issued_page(self.request, services.invitation_reissue(invitation=invitation, by=self.request.user,
                                                                      base_url=base_url))  # fmt: skip

    def failure_url(self, invitation) -> str:
        return reverse("surveys:invitation_list")


class OrderInviteView(RecordActionView):
    """Send a survey link for a delivered visit that has none (e.g. delivered before surveys were switched on)."""

    model = RepairOrder
    permission_required = "surveys.change_surveyinvitation"

    def act(self, order, data):
        base_url = self.request.build_absolute_uri("/")
        return _issued_page(self.request, services.invitation_reissue(order=order, by=self.request.user,
                                                                      base_url=base_url))  # fmt: skip

    def failure_url(self, order) -> str:
        return reverse("surveys:phone_survey", args=[order.pk])


class QuestionnaireListView(DealerScopedObjectMixin, ListView):
    model = Questionnaire
    permission_required = "surveys.view_questionnaire"
    template_name = "surveys/questionnaire_list.html"

    def get_queryset(self):
        return selectors.questionnaire_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        in_use: dict[int | None, list[str]] = {}
        for conf in services.DealerSurveySettings.objects.for_user(self.request.user).select_related("dealer"):
            in_use.setdefault(conf.questionnaire_id, []).append(conf.dealer.code)
        for questionnaire in context["object_list"]:
            questionnaire.used_by = in_use.get(questionnaire.pk, [])
        context["default"] = services.default_questionnaire()
        context["settings_dealers"] = (
            Dealer.objects.for_user(self.request.user, write=True)
            if self.request.user.has_perm("surveys.change_dealersurveysettings")
            else []
        )
        return context


class QuestionnaireDetailView(DealerScopedObjectMixin, View):
    model = Questionnaire
    permission_required = "surveys.view_questionnaire"

    def get(self, request, pk: int):
        questionnaire = get_object_or_404(self.get_queryset().select_related("dealer", "previous"), pk=pk)
        context = {
            "object": questionnaire,
            "questions": services.questions_of(questionnaire),
            "history": history_entries(questionnaire),
            "can_copy": request.user.has_perm("surveys.add_questionnaire")
            and bool(dealer_ids_for(request.user, write=True) or request.user.is_superuser),
        }
        return render(request, "surveys/questionnaire_detail.html", context)


class QuestionnaireNewVersionView(DealerScopedObjectMixin, View):
    """A manager copies a questionnaire to a new version of their dealer's, with edited texts and weights."""

    model = Questionnaire
    permission_required = "surveys.add_questionnaire"
    template_name = "surveys/questionnaire_version.html"

    def setup_objects(self, request, pk):
        source = get_object_or_404(Questionnaire.objects.for_user(request.user), pk=pk)
        writable = Dealer.objects.for_user(request.user, write=True).order_by("code")
        if source.dealer_id is not None:
            writable = writable.filter(pk=source.dealer_id)
        return source, list(writable)

    def page(self, request, source, dealers, form, status=200):
        context = {"source": source, "form": form, "dealers": dealers, "chosen": request.POST.get("dealer", "")}
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk: int):
        source, dealers = self.setup_objects(request, pk)
        if not dealers:
            raise Http404
        return self.page(
            request, source, dealers, QuestionnaireVersionForm(source=source, questions=services.questions_of(source))
        )

    def post(self, request, pk: int):
        source, dealers = self.setup_objects(request, pk)
        if not dealers:
            raise Http404
        form = QuestionnaireVersionForm(request.POST, source=source, questions=services.questions_of(source))
        dealer = next((d for d in dealers if str(d.pk) == request.POST.get("dealer", str(dealers[0].pk))), None)
        if dealer is None:
            raise Http404
        if form.is_valid():
            try:
                copy = services.questionnaire_new_version(
                    source=source, dealer=dealer, by=request.user, **form.service_kwargs()
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Version %(v)s saved.") % {"v": copy.version})
                return redirect(copy)
        return self.page(request, source, dealers, form, status=400)


class DealerSettingsView(DealerScopedObjectMixin, View):
    """A service manager chooses the dealer's questionnaire, the link validity and the sending channel."""

    model = Dealer
    permission_required = "surveys.change_dealersurveysettings"
    write_scope = True
    template_name = "surveys/settings.html"

    def page(self, request, dealer, form, status=200):
        return render(request, self.template_name, {"dealer": dealer, "form": form}, status=status)

    def get(self, request, pk: int):
        dealer = get_object_or_404(self.get_queryset(), pk=pk)
        current = services.dealer_settings(dealer)
        initial = {
            "questionnaire": current.questionnaire_id, "invite_after_delivery": current.invite_after_delivery,
            "validity_days": current.validity_days, "channel": current.channel, "version": current.version,
        }  # fmt: skip
        return self.page(request, dealer, DealerSurveySettingsForm(initial=initial, dealer=dealer))

    def post(self, request, pk: int):
        dealer = get_object_or_404(self.get_queryset(), pk=pk)
        form = DealerSurveySettingsForm(request.POST, dealer=dealer)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.dealer_settings_update(dealer=dealer, by=request.user, **data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Survey settings saved."))
                return redirect("surveys:questionnaire_list")
        return self.page(request, dealer, form, status=400)


class PhoneSurveyLookupView(DealerScopedObjectMixin, View):
    """Find the visit to survey by its RO number."""

    model = SurveyResponse
    permission_required = "surveys.add_surveyresponse"

    def get(self, request):
        form = OrderLookupForm(request.GET if "ro" in request.GET else None)
        if form.is_valid():
            order = (
                RepairOrder.objects.for_user(request.user, write=True)
                .filter(number=form.cleaned_data["ro"].strip().upper())
                .first()
            )
            if order is not None:
                return redirect("surveys:phone_survey", pk=order.pk)
            form.add_error("ro", _("No repair order with this number at your dealers."))
        return render(request, "surveys/phone_lookup.html", {"form": form}, status=400 if form.errors else 200)


class PhoneSurveyView(DealerScopedObjectMixin, View):
    """The follow-up specialist reads the questions to the customer during the call and records the answers."""

    model = SurveyResponse
    permission_required = "surveys.add_surveyresponse"
    write_scope = True
    template_name = "surveys/phone_survey.html"

    def get_order(self, pk):
        orders = RepairOrder.objects.for_user(self.request.user, write=True).select_related(
            "dealer", "customer", "vehicle", "advisor"
        )
        return get_object_or_404(orders, pk=pk)

    def questionnaire(self, order):
        open_invitation = (
            order.survey_invitations.filter(status=InvitationStatus.SENT, expires_at__gt=timezone.now())
            .select_related("questionnaire")
            .first()
        )
        return open_invitation.questionnaire if open_invitation else services.questionnaire_for_dealer(order.dealer)

    def page(self, request, order, form, questionnaire, status=200):
        context = {
            "order": order, "form": form, "questionnaire": questionnaire,
            "existing": SurveyResponse.objects.filter(repair_order=order).first(),
            "invitations": order.survey_invitations.order_by("-created_at")[:5],
            "surveyable": order.status in services.SURVEYED_ORDER_STATUSES,
        }  # fmt: skip
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk: int):
        order = self.get_order(pk)
        questionnaire = self.questionnaire(order)
        return self.page(
            request, order, SurveyAnswerForm(questions=services.questions_of(questionnaire)), questionnaire
        )

    def post(self, request, pk: int):
        order = self.get_order(pk)
        questionnaire = self.questionnaire(order)
        form = SurveyAnswerForm(request.POST, questions=services.questions_of(questionnaire))
        if form.is_valid():
            try:
                response = services.survey_record_response(
                    invitation_or_order=order, answers=form.answers(), channel=ResponseChannel.PHONE,
                    by=request.user, language=get_language() or "",
                )  # fmt: skip
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Survey recorded."))
                if response.follow_up_task_id:
                    messages.warning(request, _("Low score: a call-back task was put on the follow-up list."))
                return redirect(response)
        return self.page(request, order, form, questionnaire, status=400)
