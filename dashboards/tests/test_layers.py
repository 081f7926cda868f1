"""The apps import downward only (.importlinter's layers contract; the lint lane runs the same check)."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_apps_import_downward_only():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(  # noqa: S603 - the venv's own lint-imports, fixed arguments
        [str(lint_imports), "--no-cache", "--no-logo"], cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Apps import downward only KEPT" in result.stdout
