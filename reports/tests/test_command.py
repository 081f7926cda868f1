"""manage.py quality_report: writes the file from published runs; bad input exits 2 with one line saying why."""

import pytest
from django.core.management import call_command, load_command_class

from reports.tests.conftest import OCTOBER
from reports.tests.helpers import pdf_text

pytestmark = pytest.mark.django_db


def test_a_monthly_pdf_of_a_dealer_is_written(runs, dealer_a, tmp_path, capsys):
    output = tmp_path / "a001.pdf"
    call_command(
        "quality_report",
        "--dealer",
        "A001",
        "--month",
        str(OCTOBER),
        "--format",
        "pdf",
        "--output",
        str(output),
        "--language",
        "en",
    )
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"Wrote {output} (pdf, ") and line.endswith(f"from the published runs #{runs['october'].pk}")
    text = pdf_text(output.read_bytes())
    assert "A001" in text and "2025-10" in text and "Monthly service quality report" in text


def test_a_yearly_workbook_of_a_region_is_written_and_names_the_missing_months(runs, dealer_a, tmp_path, capsys):
    output = tmp_path / "region.xlsx"
    call_command(
        "quality_report",
        "--region",
        dealer_a.region.code,
        "--year",
        "2025",
        "--format",
        "xlsx",
        "--output",
        str(output),
    )
    assert output.read_bytes()[:2] == b"PK"
    assert "no published run in 2025-01, 2025-02" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--dealer", "NOPE", "--month", "2025-10"], "no dealer with code 'NOPE'"),
        (["--region", "NOPE", "--month", "2025-10"], "no region with code 'NOPE'"),
        (
            ["--dealer", "A001", "--month", "2025-11"],
            "No published evaluation of A001 for 2025-11: a quality report is made from a published run only.",
        ),
        (
            ["--dealer", "A001", "--year", "2023"],
            "No published evaluation of A001 in 2023: a quality report is made from published runs only.",
        ),
        (
            ["--dealer", "A001", "--month", "2025-10", "--year", "2025"],
            "give exactly one of --month YYYY-MM and --year YYYY",
        ),
        (["--dealer", "A001"], "give exactly one of --month YYYY-MM and --year YYYY"),
        (["--dealer", "A001", "--month", "2025-13"], "--month must be YYYY-MM, not '2025-13'"),
        (["--dealer", "A001", "--month", "October"], "--month must be YYYY-MM, not 'October'"),
        (["--dealer", "A001", "--year", "25"], "--year must be YYYY, not '25'"),
        (
            ["--dealer", "A001", "--region", "R01", "--month", "2025-10"],
            "give exactly one of --dealer CODE and --region CODE",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(runs, dealer_a, tmp_path, capsys, args, reason):
    output = tmp_path / "out.pdf"
    command = load_command_class("reports", "quality_report")
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["manage.py", "quality_report", *args, "--format", "pdf", "--output", str(output)])
    assert exited.value.code == 2
    assert capsys.readouterr().err == f"CommandError: {reason}\n"
    assert not output.exists()


def test_an_output_folder_that_does_not_exist_exits_2(runs, tmp_path, capsys):
    command = load_command_class("reports", "quality_report")
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(
            [
                "manage.py",
                "quality_report",
                "--dealer",
                "A001",
                "--month",
                "2025-10",
                "--format",
                "pdf",
                "--output",
                str(tmp_path / "no" / "such.pdf"),
            ]
        )
    assert exited.value.code == 2
    assert capsys.readouterr().err.startswith("CommandError: the folder of --output does not exist")
