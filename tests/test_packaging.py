"""An installed Forum (a wheel built by `pip wheel .`, installed into a fresh virtual environment,
no checkout on its path) migrates its database and serves pages with its templates, its styles
and its translations.

The wheel is built from a copy of the checkout without any compiled catalog (.mo), so the Korean
page proves that building the wheel compiles them. Everything runs offline: the wheel is built
without build isolation (the test extra brings setuptools; Babel comes with Flask-Babel) and the
fresh environment borrows the dependencies of the running one through a .pth file, so nothing is
downloaded.
"""

import json
import os
import re
import shutil
import site
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from forum import web_font

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PIP = [sys.executable, "-m", "pip"]
NOT_SHIPPED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "instance",
    "test-artifacts",
    ".hypothesis",
    ".pytest_cache",
    "*.mo",
    "tests",
    "bench",
    "docs",
)
KOREAN_HEADLINE = "기술이전을 위한 파트너링 포럼"  # "Partnering forums for technology transfer"

# Run by the fresh environment's Python, from a directory that holds no checkout.
SERVE_PAGES = """
import json, sys
from pathlib import Path
import forum
app = forum.create_app()
client = app.test_client()
home = client.get("/", headers={"Accept-Language": "ko"})
css = client.get("/static/forum.css")
print(json.dumps({
    "package": str(Path(forum.__file__).resolve()),
    "prefix": str(Path(sys.prefix).resolve()),
    "home_status": home.status_code,
    "home": home.get_data(as_text=True),
    "css_status": css.status_code,
    "css": css.get_data(as_text=True),
}))
"""


def stylesheet_sources() -> list[str]:
    css = (ROOT / "forum" / "static" / web_font.STYLESHEET).read_text(encoding="utf-8")
    return re.findall(r"url\((files/[^)]+)\)", css)


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


def build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SHIPPED)
    assert not list(source.rglob("*.mo"))
    dist = tmp_path / "dist"
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    run(
        [*PIP, "wheel", ".", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(dist)],
        cwd=source,
        env=env,
    )
    (wheel,) = dist.glob("forum-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built once for both tests (a build copies the checkout and runs setuptools)."""
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def fresh_environment(tmp_path: Path, wheel: Path) -> Path:
    """A new virtual environment with the wheel installed; the running environment's packages
    (Flask, SQLAlchemy…) are reachable through a .pth file, but not its editable Forum."""
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    (Path(purelib.stdout.strip()) / "borrowed.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n"
    )
    run(
        [
            *PIP,
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        env=dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1"),
    )
    return python


def test_the_wheel_carries_templates_styles_catalogs_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (
        "forum/templates/base.html",
        "forum/templates/main/index.html",
        "forum/static/forum.css",
        "forum/translations/ko/LC_MESSAGES/messages.mo",
        "forum/migrations/env.py",
        "forum/migrations/alembic.ini",
        "forum/migrations/script.py.mako",
        f"forum/static/{web_font.STYLESHEET}",
        f"forum/static/{web_font.DIRECTORY}/LICENSE",
    ):
        assert shipped in names
    # Every slice the stylesheet names (`make setup` installed the font into the checkout).
    slices = {f"forum/static/{web_font.DIRECTORY}/{path}" for path in stylesheet_sources()}
    assert slices and slices <= names
    migrations = {
        f"forum/migrations/versions/{path.name}"
        for path in (ROOT / "forum" / "migrations" / "versions").glob("*.py")
    }
    assert migrations and migrations <= names


def test_an_installed_wheel_migrates_and_serves_pages_in_korean(wheel, tmp_path):
    python = fresh_environment(tmp_path, wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    database = tmp_path / "installed.sqlite"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "FLASK_APP", "DATABASE_URL"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        SECRET_KEY="packaging-test-" * 3,
        FORUM_ENV="production",
    )

    run([str(python), "-m", "flask", "--app", "forum", "db", "upgrade"], cwd=elsewhere, env=env)
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert {"event", "user", "meeting"} <= tables
    assert version

    served = json.loads(run([str(python), "-c", SERVE_PAGES], cwd=elsewhere, env=env).stdout)
    assert Path(served["package"]).is_relative_to(served["prefix"])
    assert served["home_status"] == 200
    assert KOREAN_HEADLINE in served["home"]
    assert 'href="/static/forum.css"' in served["home"]
    assert f'href="/static/{web_font.STYLESHEET}"' in served["home"]
    assert served["css_status"] == 200
    assert served["css"] == (ROOT / "forum" / "static" / "forum.css").read_text(encoding="utf-8")
