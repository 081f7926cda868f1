"""Pages of the evaluation app, one module per area: systems, audits, runs, alerts, measurements."""
