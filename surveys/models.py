"""Satisfaction surveys: versioned questionnaires, public token links, responses and scores."""
