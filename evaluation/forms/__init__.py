"""Forms of the evaluation pages: indicator systems and audits (systems), quality alerts and actions (alerts)."""
