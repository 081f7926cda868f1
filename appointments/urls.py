from django.urls import path

from appointments import views

app_name = "appointments"
urlpatterns = [
    path("appointments/", views.AppointmentDayView.as_view(), name="appointment_day"),
    path("appointments/list/", views.AppointmentListView.as_view(), name="appointment_list"),
    path("appointments/new/", views.AppointmentCreateView.as_view(), name="appointment_create"),
    path("appointments/new/vehicles/", views.VehicleChoicesView.as_view(), name="vehicle_choices"),
    path("appointments/availability/", views.AvailabilityView.as_view(), name="availability"),
    path("appointments/<int:pk>/", views.AppointmentDetailView.as_view(), name="appointment_detail"),
    path("appointments/<int:pk>/reschedule/", views.AppointmentRescheduleView.as_view(), name="appointment_reschedule"),
    path(
        "appointments/<int:pk>/confirm/",
        views.AppointmentActionView.as_view(action="confirm"),
        name="appointment_confirm",
    ),
    path(
        "appointments/<int:pk>/arrive/", views.AppointmentActionView.as_view(action="arrive"), name="appointment_arrive"
    ),
    path(
        "appointments/<int:pk>/no-show/",
        views.AppointmentActionView.as_view(action="no_show"),
        name="appointment_no_show",
    ),
    path(
        "appointments/<int:pk>/cancel/", views.AppointmentActionView.as_view(action="cancel"), name="appointment_cancel"
    ),
]
