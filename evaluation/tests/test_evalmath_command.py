"""Tests for ``manage.py evalmath`` (no database needed)."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PUBLIC_AHP = [[1, 3, 2, 4], [1 / 3, 1, 1 / 2, 2], [1 / 2, 2, 1, 3], [1 / 4, 1 / 2, 1 / 3, 1]]
FUZZY_R = [[0.6, 0.3, 0.1, 0.0], [0.2, 0.5, 0.2, 0.1], [0.1, 0.2, 0.4, 0.3]]


def run(kind, payload, tmp_path):
    """Run the command through call_command with a JSON file; return (parsed stdout, stderr text)."""
    path = tmp_path / "input.json"
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("evalmath", kind, "--input", str(path), stdout=out, stderr=err)
    assert out.getvalue().count("\n") == 1  # exactly one JSON object on one line
    return json.loads(out.getvalue()), err.getvalue()


def run_error(kind, payload, tmp_path):
    """Run with bad input; return the CommandError after checking nothing was printed to stdout."""
    path = tmp_path / "input.json"
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("evalmath", kind, "--input", str(path), stdout=out, stderr=io.StringIO())
    assert out.getvalue() == ""
    assert info.value.returncode == 2
    assert "\n" not in str(info.value)
    return info.value


def rounded(values, digits=4):
    return [round(v, digits) for v in values]


# ------------------------------------------------------------------------------------------------------------------
# Successful runs
# ------------------------------------------------------------------------------------------------------------------


def test_ahp_arithmetic(tmp_path):
    out, err = run("ahp", {"matrix": PUBLIC_AHP, "method": "arithmetic"}, tmp_path)
    assert set(out) == {"weights", "lambda_max", "ci", "cr", "consistent"}
    assert rounded(out["weights"]) == [0.4658, 0.1611, 0.2771, 0.0960]
    assert round(out["lambda_max"], 4) == 4.0310
    assert round(out["ci"], 4) == 0.0103
    assert round(out["cr"], 4) == 0.0115
    assert out["consistent"] is True
    assert err == ""


def test_ahp_default_method_criteria_and_fractions(tmp_path):
    matrix = [[1, 3, 2, 4], ["1/3", 1, "1/2", 2], [0.5, 2, 1, 3], ["1/4", 0.5, "1/3", 1]]
    out, _ = run("ahp", {"matrix": matrix, "criteria": ["响应", "质量", "价格", "环境"]}, tmp_path)
    assert rounded(out["weights"]) == [0.4673, 0.1601, 0.2772, 0.0954]
    assert list(out["weights_by_criterion"]) == ["响应", "质量", "价格", "环境"]
    assert out["weights_by_criterion"]["响应"] == out["weights"][0]


def test_ahp_inconsistent(tmp_path):
    out, _ = run("ahp", {"matrix": [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]}, tmp_path)
    assert out["consistent"] is False
    assert out["cr"] > 0.1


def test_entropy(tmp_path):
    out, err = run("entropy", {"matrix": [[1, 2], [4, 16]], "normalize": "none"}, tmp_path)
    assert set(out) == {"weights", "entropy"}
    assert [round(w, 6) for w in out["weights"]] == [0.358889, 0.641111]
    assert err == ""


def test_entropy_minmax_with_warning_on_stderr(tmp_path):
    payload = {"matrix": [[5, 1], [5, 2], [5, 4]], "normalize": "minmax", "directions": ["benefit", "cost"]}
    out, err = run("entropy", payload, tmp_path)
    assert out["weights"] == [0.0, 1.0]
    assert out["entropy"][0] == 1.0
    assert err.startswith("warning: constant column(s) 0")


@pytest.mark.parametrize(
    ("normalize", "expected", "rank"),
    [("vector", [0.7621, 0.7222, 0.2379], [1, 2, 3]), ("minmax", [0.5, 0.6172, 0.5], [2, 1, 2])],
)
def test_topsis(tmp_path, normalize, expected, rank):
    payload = {
        "matrix": [[1, 3000], [2, 3750], [5, 4500]],
        "weights": [0.5, 0.5],
        "directions": ["cost", "benefit"],
        "normalize": normalize,
    }
    out, _ = run("topsis", payload, tmp_path)
    assert set(out) == {"closeness", "d_plus", "d_minus", "rank"}
    assert rounded(out["closeness"]) == expected
    assert out["rank"] == rank
    assert len(out["d_plus"]) == len(out["d_minus"]) == 3


def test_fuzzy_default_grades_give_score(tmp_path):
    payload = {"weights": [0.5, 0.3, 0.2], "membership": FUZZY_R, "grades": ["优", "良", "中", "差"]}
    out, _ = run("fuzzy", payload, tmp_path)
    assert rounded(out["vector"]) == [0.38, 0.34, 0.19, 0.09]
    assert out["grade"] == "优"
    assert out["score"] == pytest.approx(84.65)


def test_fuzzy_without_grades_gives_index_and_null_score(tmp_path):
    payload = {"weights": [0.5, 0.3, 0.2], "membership": FUZZY_R, "operator": "min_max", "normalize": True}
    out, _ = run("fuzzy", payload, tmp_path)
    assert out["vector"] == pytest.approx([5 / 12, 3 / 12, 2 / 12, 2 / 12])
    assert out["grade"] == 0
    assert out["score"] is None


def test_fuzzy_explicit_scores_and_custom_grades(tmp_path):
    payload = {
        "weights": [0.5, 0.5],
        "membership": [[0.1, 0.2, 0.7], [0.1, 0.3, 0.6]],
        "operator": "weighted_average",
        "grades": ["good", "fair", "poor"],
        "grade_scores": [90, 70, 50],
    }
    out, _ = run("fuzzy", payload, tmp_path)
    assert out["grade"] == "poor"
    assert out["score"] == pytest.approx(0.1 * 90 + 0.25 * 70 + 0.65 * 50)
    del payload["grade_scores"]
    out, _ = run("fuzzy", payload, tmp_path)
    assert out["score"] is None  # custom names: no default scores apply


def test_fuzzy_index_with_scores_only(tmp_path):
    payload = {"weights": [1.0], "membership": [[0.2, 0.8]], "grade_scores": [100, 0]}
    out, _ = run("fuzzy", payload, tmp_path)
    assert out == {"vector": [0.2, 0.8], "grade": 1, "score": pytest.approx(20.0)}


def test_stdin_via_dash():
    out = io.StringIO()
    stdin = io.StringIO(json.dumps({"matrix": [[1, 2], [4, 16]]}))
    call_command("evalmath", "entropy", "--input", "-", stdin=stdin, stdout=out, stderr=io.StringIO())
    assert [round(w, 6) for w in json.loads(out.getvalue())["weights"]] == [0.358889, 0.641111]


def test_stdin_defaults_to_sys_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"matrix": [[1]]})))
    out = io.StringIO()
    call_command("evalmath", "ahp", "--input", "-", stdout=out)
    assert json.loads(out.getvalue()) == {"weights": [1.0], "lambda_max": 1.0, "ci": 0.0, "cr": 0.0, "consistent": True}


# ------------------------------------------------------------------------------------------------------------------
# Bad input → CommandError(returncode=2), one line, nothing on stdout
# ------------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "payload", "message"),
    [
        ("ahp", {"matrix": [[1, 3], [0.3, 1]]}, "not reciprocal"),
        ("ahp", {"matrix": [[1, 2, 3], [0.5, 1, 2]]}, "square"),
        ("ahp", {"matrix": PUBLIC_AHP, "method": "power"}, "unknown AHP method"),
        ("ahp", {"matrix": [[1, "x"], [1, 1]]}, "not a number or fraction"),
        ("ahp", {"matrix": [[1, "1/0"], [1, 1]]}, "not a number or fraction"),
        ("ahp", {"matrix": PUBLIC_AHP, "criteria": ["a", "b"]}, "criteria must have 4 names"),
        ("ahp", {"matrix": PUBLIC_AHP, "criteria": ["a", "a", "b", "c"]}, "unique"),
        ("ahp", {"matrix": PUBLIC_AHP, "methd": "geometric"}, "unknown key(s): methd"),
        ("ahp", {"method": "geometric"}, "missing key(s): matrix"),
        ("entropy", {"matrix": [[1, -2], [3, 4]]}, "negative"),
        ("entropy", {"matrix": [[1, 2], [3, 4]], "normalize": "zscore"}, "unknown entropy normalization"),
        ("topsis", {"matrix": [[1, 2]], "weights": [1, 1]}, "missing key(s): directions"),
        ("topsis", {"matrix": [[1, 2]], "weights": [1], "directions": ["cost", "cost"]}, "weights must have 2"),
        ("topsis", {"matrix": [[1, 2]], "weights": [1, 1], "directions": ["up", "cost"]}, "unknown direction"),
        ("fuzzy", {"weights": [1.0], "membership": [[0.5, 0.5]], "normalize": "yes"}, "normalize must be"),
        ("fuzzy", {"weights": [1.0], "membership": [[0.5, 0.5]], "grades": ["优"]}, "grades must have 2"),
        ("fuzzy", {"weights": [1.0], "membership": [[0.5, 0.5]], "operator": "max"}, "unknown fuzzy operator"),
        ("fuzzy", {"weights": [0.5, 0.5], "membership": [[0.5, 0.5]]}, "weights must have 1"),
        ("fuzzy", {"weights": [1.0], "membership": [[0.5, 0.5]], "grade_scores": [1]}, "grade_scores must have 2"),
        ("ahp", [[1]], "input must be a JSON object"),
        ("ahp", "{not json", "invalid JSON"),
        ("ahp", '{"matrix": [[NaN]]}', "finite"),
        ("ahp", {"matrix": [[1, "1e400"], [1, 1]]}, "not a number or fraction"),
        ("entropy", '{"matrix": [[1' + "0" * 400 + ", 1], [1, 1]]}", "finite"),
    ],
)
def test_bad_input(tmp_path, kind, payload, message):
    error = run_error(kind, payload, tmp_path)
    assert message in str(error)


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read") as info:
        call_command("evalmath", "ahp", "--input", str(tmp_path / "missing.json"), stdout=io.StringIO())
    assert info.value.returncode == 2


# ------------------------------------------------------------------------------------------------------------------
# Real process: exit codes and streams
# ------------------------------------------------------------------------------------------------------------------


def manage(*args, stdin_text=""):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run(  # noqa: S603 - fixed interpreter and script
        [sys.executable, "manage.py", "evalmath", *args],
        input=stdin_text,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=PROJECT_ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def test_process_success_from_stdin():
    payload = {"weights": [0.5, 0.3, 0.2], "membership": FUZZY_R, "grades": ["优", "良", "中", "差"]}
    result = manage("fuzzy", "--input", "-", stdin_text=json.dumps(payload))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["grade"] == "优"
    assert out["score"] == pytest.approx(84.65)
    assert result.stderr == ""


@pytest.mark.parametrize(
    "stdin_text",
    ['{"matrix": [[1, 3], [0.3, 1]]}', "{broken", '{"matrix": [[1, 2], [0.5, 1]], "method": "power"}'],
)
def test_process_bad_input_exits_2_with_one_line(stdin_text):
    result = manage("ahp", "--input", "-", stdin_text=stdin_text)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("CommandError: ")


def test_process_reads_file(tmp_path):
    path = tmp_path / "topsis.json"
    path.write_text(
        json.dumps(
            {"matrix": [[1, 3000], [2, 3750], [5, 4500]], "weights": [0.5, 0.5], "directions": ["cost", "benefit"]}
        )
    )
    result = manage("topsis", "--input", str(path))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rank"] == [1, 2, 3]
