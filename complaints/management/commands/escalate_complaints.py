"""Escalate overdue complaints (cron or a scheduler runs this every few minutes; it is idempotent)."""

from complaints.services import escalate_overdue
from core.management.moment import AsOfCommand


class Command(AsOfCommand):
    help = "Escalate complaints whose first-contact, feedback or resolution deadline has passed."

    def handle(self, *args, **options):
        result = escalate_overdue(now=self.moment(options))
        self.stdout.write(
            f"{len(result.to_manager)} escalated to the service manager, {len(result.to_region)} to the region"
        )
        for number in result.to_manager:
            self.stdout.write(f"  {number} -> service manager")
        for number in result.to_region:
            self.stdout.write(f"  {number} -> region")
