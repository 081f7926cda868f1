"""Selectors of the evaluation app (they read): indicator systems and names, the measures registry."""
