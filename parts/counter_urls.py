from django.urls import path

from parts import counter_views

urlpatterns = [
    path("parts/counter/", counter_views.PartsCounterView.as_view(), name="counter"),
    path("parts/counter/issue/<int:pk>/", counter_views.IssueView.as_view(), name="counter_issue"),
    path("parts/counter/release/<int:pk>/", counter_views.ReleaseView.as_view(), name="counter_release"),
    path("parts/counter/return/<int:pk>/", counter_views.ReturnView.as_view(), name="counter_return"),
    path("parts/counter/receive/<int:pk>/", counter_views.ReceiveSpecialOrderView.as_view(), name="counter_receive"),
]
