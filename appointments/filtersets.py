import django_filters

from appointments.choices import AppointmentChannel, AppointmentStatus
from appointments.models import Appointment
from core.dates import day_bounds
from core.filters import readable
from organization.models import Dealer


class AppointmentFilterSet(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer))
    # Plain ids for people and big tables: the queryset is already scoped, so another dealer's id (or a user id)
    # finds nothing, exactly like an id that does not exist — no choice list that would confirm it exists.
    vehicle = django_filters.NumberFilter(field_name="vehicle_id")
    customer = django_filters.NumberFilter(field_name="customer_id")
    advisor = django_filters.NumberFilter(field_name="advisor_id")
    status = django_filters.MultipleChoiceFilter(choices=AppointmentStatus.choices)
    channel = django_filters.ChoiceFilter(choices=AppointmentChannel.choices)
    date_from = django_filters.DateFilter(method="filter_date_from", label="slot on or after this day (local time)")
    date_to = django_filters.DateFilter(method="filter_date_to", label="slot on or before this day (local time)")

    class Meta:
        model = Appointment
        fields = ["dealer", "status", "channel", "job_type", "vehicle", "customer", "advisor"]

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(slot_start__gte=day_bounds(value)[0])

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(slot_start__lt=day_bounds(value)[1])
