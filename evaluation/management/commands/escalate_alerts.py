"""Escalate the quality alerts left without an improvement action (the daily job by hand; it is idempotent)."""

from core.management.moment import AsOfCommand
from evaluation.services.alerts import alerts_escalate


class Command(AsOfCommand):
    help = (
        "Escalate every quality alert open without an improvement action for the version's escalation days: "
        "to the dealer's service managers (a to-do), after twice as long to the region."
    )

    def handle(self, *args, **options):
        result = alerts_escalate(now=self.moment(options))
        self.stdout.write(
            f"{len(result.to_manager)} alerts escalated to the service manager, {len(result.to_region)} to the region"
        )
