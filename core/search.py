"""Index-friendly search helpers."""

from django.db.models import Q

# Greater than every character we store, so [prefix, prefix + _TOP) is "starts with".
_TOP = "\U0010ffff"


def prefix_q(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, written as a range so a plain B-tree index serves it.

    (``LIKE 'x%'`` needs special operator classes on PostgreSQL and gives up the
    index on SQLite when Django adds its ESCAPE clause.)
    """
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + _TOP})
