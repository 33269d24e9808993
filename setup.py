"""Everything about the package is in pyproject.toml; this only compiles the translation catalogs.

The compiled catalogs (.mo) are build products, not sources (git ignores them): building a wheel
compiles every forum/translations/*/LC_MESSAGES/messages.po into the wheel, so an installed Forum
speaks every language of the checkout it was built from. A checkout compiles its own with
`make translations`.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po_path in sorted(Path("forum/translations").glob("*/LC_MESSAGES/*.po")):
            locale = po_path.parent.parent.name
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=locale)
            target = Path(self.build_lib) / po_path.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as mo_file:
                write_mo(mo_file, catalog, use_fuzzy=False)


setup(cmdclass={"build_py": BuildWithCatalogs})
