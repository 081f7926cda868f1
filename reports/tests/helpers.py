"""Reading the reports' files in tests."""

import shutil
import subprocess


def pdf_text(data: bytes) -> str:
    """The text of a PDF (poppler's pdftotext, installed by .ci/run), pages separated by form feeds."""
    tool = shutil.which("pdftotext")
    assert tool, "poppler-utils (pdftotext) is not installed: apt-get install poppler-utils"
    run = subprocess.run([tool, "-layout", "-", "-"], input=data, capture_output=True, check=True, timeout=60)  # noqa: S603
    return run.stdout.decode()
