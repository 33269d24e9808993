"""The documentation links only to files inside the repository, and those files exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {".venv", ".git", "build", "node_modules", "test-artifacts"}
# [text](target) in Markdown, targets without a scheme (http:, mailto:…) or a bare #anchor.
LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#)([^)\s]+)\)")


def markdown_files() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.md")
        if not SKIPPED.intersection(path.relative_to(ROOT).parts)
    ]


def test_relative_links_point_at_files_inside_the_repository():
    broken = []
    for path in markdown_files():
        for target in LINK.findall(path.read_text(encoding="utf-8")):
            resolved = (path.parent / target.split("#")[0]).resolve()
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                broken.append(f"{path.relative_to(ROOT)}: {target}")
    assert not broken


def test_nothing_refers_to_the_shared_folder_outside_the_repository():
    mentions = [
        str(path.relative_to(ROOT))
        for path in markdown_files()
        if "../shared" in path.read_text(encoding="utf-8")
    ]
    assert not mentions


def test_the_design_and_the_scheduler_format_are_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in ("docs/design.md", "docs/scheduler-format.md", "CONTRIBUTING.md", "CHANGELOG.md"):
        assert f"]({target})" in readme


def test_the_readme_lists_every_makefile_target():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "setup" in targets
    assert [target for target in targets if f"make {target}" not in readme] == []


def test_the_readme_says_which_language_the_demo_logins_use():
    """An English reader signing in as the demo organizer should not be surprised by Korean."""
    from forum.services.demo import ORGANIZER_EMAIL

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_mention = readme.split(f"`{ORGANIZER_EMAIL}`", 1)[1].split("\n\n", 1)[0]
    assert "Korean" in first_mention and "English" in first_mention
