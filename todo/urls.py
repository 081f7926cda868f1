from django.urls import path

from todo import views

app_name = "todo"
urlpatterns = [
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/<int:pk>/finish/", views.TaskFinishView.as_view(), name="task_finish"),
]
