"""Services of the evaluation app (they write): indicator systems, audits, runs, alerts and improvement actions."""
