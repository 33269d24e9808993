"""The Makefile: `make run` installs only what running needs, `make test` the test extra, and the
browser's system packages are announced before apt runs, and can be skipped."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make(*arguments: str, tmp_path: Path, dry_run: bool = True) -> subprocess.CompletedProcess:
    """make in the checkout, with a virtualenv that does not exist yet (so every step shows)."""
    command = ["make", *(["-n"] if dry_run else []), f"VENV={tmp_path / 'venv'}", *arguments]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)


def test_run_installs_forum_without_the_test_extra(tmp_path):
    commands = make("run", tmp_path=tmp_path).stdout
    assert "pip install --quiet -e ." in commands
    assert "[test]" not in commands
    assert "apt-get" not in commands


def test_test_installs_the_test_extra(tmp_path):
    commands = make("test", "CHROMIUM_PATH=/usr/bin/true", tmp_path=tmp_path).stdout
    assert "pip install --quiet -e '.[test]'" in commands


def test_skip_browser_install_installs_nothing_and_says_so(tmp_path):
    result = make(
        "chromium",
        "SKIP_BROWSER_INSTALL=1",
        f"CHROMIUM_PATH={tmp_path / 'no-chromium'}",
        tmp_path=tmp_path,
        dry_run=False,
    )
    assert "SKIP_BROWSER_INSTALL is set: not installing Chromium" in result.stdout


def test_the_apt_install_is_announced_with_the_way_to_skip_it(tmp_path):
    recipe = make("chromium", f"CHROMIUM_PATH={tmp_path / 'no-chromium'}", tmp_path=tmp_path).stdout
    announcement = recipe.index("Installing the Debian packages chromium fonts-noto-cjk")
    assert "SKIP_BROWSER_INSTALL=1" in recipe[announcement:]
    assert announcement < recipe.index("env DEBIAN_FRONTEND=noninteractive apt-get install")
