"""Staff: profiles, certificates, training records, assessments and scorecards."""
