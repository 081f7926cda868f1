"""``manage.py evalmath``: run the evaluation maths (AHP, entropy, TOPSIS, fuzzy) on a JSON file for analysts."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter

from evaluation import maths

EPILOG = """\
Input is one JSON object (FILE, or - for stdin); output is one JSON object on stdout.

ahp      in:  {"matrix": [[...]], "method": "eigenvector"|"arithmetic"|"geometric" (default eigenvector),
               "criteria": [names] (optional, one per row)}
         Entries may also be fraction strings such as "1/3" (exactly reciprocal); decimals must be
         reciprocal to 1e-9, so write 1/3 as "1/3" or 0.3333333333333333. Entries must lie in 1/9..9.
         out: {"weights": [...], "lambda_max": x, "ci": x, "cr": x, "consistent": bool}
              plus "weights_by_criterion": {name: weight} when criteria are given.
entropy  in:  {"matrix": [[...]] (rows = alternatives), "normalize": "none"|"minmax" (default none),
               "directions": ["benefit"|"cost", ...] (optional, default all benefit; used by minmax)}
         out: {"weights": [...], "entropy": [...]}; warnings (constant columns...) go to stderr.
topsis   in:  {"matrix": [[...]], "weights": [...], "directions": ["benefit"|"cost", ...],
               "normalize": "vector"|"minmax" (default vector)}
         out: {"closeness": [...], "d_plus": [...], "d_minus": [...], "rank": [...]}
              rank is given per alternative in input order, 1 = best, ties share the smallest rank.
fuzzy    in:  {"weights": [...], "membership": [[...]] (factors × grades),
               "operator": "weighted_average"|"min_max"|"product_max"|"bounded_sum" (default weighted_average),
               "normalize": true|false (default false), "grades": [names] (optional),
               "grade_scores": [numbers] (optional)}
         out: {"vector": [...], "grade": name (when grades are given) or 0-based index, "score": x or null}
              score = vector · grade_scores. Without grade_scores, the default scores 优/良/中/差 = 95/85/75/60
              apply when every grade name is one of 优, 良, 中, 差; otherwise score is null.
              The score uses the output vector: set "normalize": true for a score on the grade-score scale.

Unknown keys are rejected. On bad input a one-line reason is printed to stderr and the exit code is 2."""

KINDS = ("ahp", "entropy", "topsis", "fuzzy")


class InputProblem(ValueError):
    """A problem with the JSON document itself (missing or unknown keys, wrong types)."""


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Django's option ordering, but keep the epilog's line breaks."""


def _check_keys(payload: dict[str, Any], required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    missing = [key for key in required if key not in payload]
    if missing:
        raise InputProblem(f"missing key(s): {', '.join(missing)}")
    unknown = sorted(set(payload) - set(required) - set(optional))
    if unknown:
        raise InputProblem(f"unknown key(s): {', '.join(unknown)}")


def _names(value: Any, key: str, count: int) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise InputProblem(f"{key} must be a list of strings")
    if len(value) != count:
        raise InputProblem(f"{key} must have {count} names, got {len(value)}")
    if len(set(value)) != len(value):
        raise InputProblem(f"{key} names must be unique")
    return value


def _parse_entry(value: Any) -> Any:
    """Allow fraction strings such as "1/3" in an AHP matrix; leave everything else to the maths validation."""
    if isinstance(value, str):
        try:
            return float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            raise InputProblem(f"matrix entry {value!r} is not a number or fraction") from exc
    return value


def _ahp(payload: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    _check_keys(payload, ("matrix",), ("method", "criteria"))
    matrix = payload["matrix"]
    if isinstance(matrix, list):
        matrix = [[_parse_entry(v) for v in row] if isinstance(row, list) else row for row in matrix]
    result = maths.ahp(matrix, payload.get("method", "eigenvector"))
    out: dict[str, Any] = {
        "weights": list(result.weights),
        "lambda_max": result.lambda_max,
        "ci": result.ci,
        "cr": result.cr,
        "consistent": result.consistent,
    }
    if "criteria" in payload:
        names = _names(payload["criteria"], "criteria", result.n)
        out["weights_by_criterion"] = dict(zip(names, result.weights, strict=True))
    return out, []


def _entropy(payload: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    _check_keys(payload, ("matrix",), ("normalize", "directions"))
    result = maths.entropy_weights(
        payload["matrix"], normalize=payload.get("normalize", "none"), directions=payload.get("directions")
    )
    return {"weights": list(result.weights), "entropy": list(result.entropy)}, list(result.warnings)


def _topsis(payload: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    _check_keys(payload, ("matrix", "weights", "directions"), ("normalize",))
    result = maths.topsis(
        payload["matrix"], payload["weights"], payload["directions"], normalize=payload.get("normalize", "vector")
    )
    out = {
        "closeness": list(result.closeness),
        "d_plus": list(result.d_plus),
        "d_minus": list(result.d_minus),
        "rank": list(result.rank),
    }
    return out, []


def _fuzzy(payload: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    _check_keys(payload, ("weights", "membership"), ("operator", "normalize", "grades", "grade_scores"))
    normalize = payload.get("normalize", False)
    if not isinstance(normalize, bool):
        raise InputProblem("normalize must be true or false")
    operator = payload.get("operator", "weighted_average")
    # A first pass validates weights/membership, so the grade names can be checked against the real grade count.
    result = maths.fuzzy_evaluate(payload["weights"], payload["membership"], operator=operator, normalize=normalize)
    grades = _names(payload["grades"], "grades", len(result.vector)) if "grades" in payload else None
    scores = payload.get("grade_scores")
    if scores is None and grades is not None and all(name in maths.DEFAULT_GRADES for name in grades):
        default = dict(zip(maths.DEFAULT_GRADES, maths.DEFAULT_GRADE_SCORES, strict=True))
        scores = [default[name] for name in grades]
    if scores is not None:
        result = maths.fuzzy_evaluate(
            payload["weights"], payload["membership"], operator=operator, normalize=normalize, grade_scores=scores
        )
    grade: str | int = grades[result.grade_index] if grades is not None else result.grade_index
    return {"vector": list(result.vector), "grade": grade, "score": result.score}, []


HANDLERS: dict[str, Callable[[dict[str, Any]], tuple[dict[str, Any], list[str]]]] = {
    "ahp": _ahp,
    "entropy": _entropy,
    "topsis": _topsis,
    "fuzzy": _fuzzy,
}


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


class Command(BaseCommand):
    """Analyst CLI over :mod:`evaluation.maths`."""

    help = "Run AHP, entropy weights, TOPSIS or fuzzy comprehensive evaluation on a JSON input; print JSON."
    requires_system_checks = []  # pure maths: no models involved, so don't let unrelated checks block it
    # ``stdin`` lets tests (and code using call_command) supply the "-" input stream.
    stealth_options = ("stdin",)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> argparse.ArgumentParser:
        """Build the parser, keeping the formatted JSON reference in the epilog."""
        kwargs.setdefault("formatter_class", _HelpFormatter)
        kwargs.setdefault("epilog", EPILOG)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Declare the evaluation kind and the --input option."""
        parser.add_argument("kind", choices=KINDS, help="Which evaluation to run.")
        parser.add_argument(
            "--input", required=True, metavar="FILE.json", help='JSON input file, or "-" to read stdin.'
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Read the JSON input, run the method and print the result as one JSON object."""
        try:
            payload = self._load(options["input"], options.get("stdin"))
            result, warnings = HANDLERS[options["kind"]](payload)
        except (maths.EvaluationInputError, InputProblem) as exc:
            raise CommandError(_one_line(str(exc)), returncode=2) from exc
        for warning in warnings:
            self.stderr.write(f"warning: {_one_line(warning)}")
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    @staticmethod
    def _load(source: str, stdin: Any) -> dict[str, Any]:
        try:
            if source == "-":
                text = (stdin or sys.stdin).read()
            else:
                with open(source, encoding="utf-8") as handle:
                    text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputProblem(f"cannot read {source}: {exc}") from exc
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputProblem(f"invalid JSON: {exc}") from exc
        if not isinstance(payload, dict):
            raise InputProblem("input must be a JSON object")
        return payload
