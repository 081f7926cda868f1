"""Complaints: intake, SLA clock, escalation, contacts, resolution and crisis alerts."""
