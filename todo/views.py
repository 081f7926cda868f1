"""The to-do list: open tasks of the user (assigned, or for one of their roles), and finishing one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from core.mixins import DealerScopedObjectMixin
from todo.choices import TaskStatus
from todo.models import Task
from todo.selectors import task_list_for
from todo.services import task_finish


class TaskListView(DealerScopedObjectMixin, View):
    model = Task
    permission_required = "todo.view_task"
    template_name = "todo/task_list.html"

    def get(self, request):
        tasks = list(task_list_for(user=request.user)[:200])
        return render(request, self.template_name, {"tasks": tasks, "now": timezone.now()})


class TaskFinishView(DealerScopedObjectMixin, View):
    model = Task
    permission_required = "todo.change_task"
    write_scope = True

    def post(self, request, pk: int):
        task = get_object_or_404(self.get_queryset(), pk=pk)
        status = TaskStatus.CANCELLED if request.POST.get("status") == TaskStatus.CANCELLED else TaskStatus.DONE
        try:
            task_finish(task=task, by=request.user, status=status, outcome=request.POST.get("outcome", ""))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Task closed."))
        next_url = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            return redirect(next_url)
        return redirect("todo:task_list")
