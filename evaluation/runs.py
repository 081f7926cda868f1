"""The import path of the run tasks before they moved to ``evaluation.services.runs``.

django-tasks stores a queued task's import path (``DBTaskResult.task_path``) and imports it when a worker runs it:
rows queued as ``evaluation.runs.run_evaluation_task`` / ``evaluation.runs.monthly_evaluations`` before the move
still run. Nothing else imports this module.
"""

from evaluation.services.runs import monthly_evaluations, run_evaluation_task

__all__ = ["monthly_evaluations", "run_evaluation_task"]
