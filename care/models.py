"""Customer care: follow-up calls, letters, reminders, campaigns and the churn watch."""
