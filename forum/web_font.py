"""The Korean web font: Noto Sans KR from the npm package @fontsource/noto-sans-kr, served by Forum.

Korean pages otherwise depend on the visitor's fonts. The package slices the font by
unicode-range, so a browser fetches only the slices whose characters a page shows. `make setup`
runs `python -m forum.web_font`, which packs the pinned version with npm into build/, checks it
against the integrity pinned here, and writes the woff2 slices of the weights Forum uses and one
stylesheet into forum/static/vendor/ (git-ignored; a wheel built afterwards ships them). Nothing is
fetched at run time, and without the font (no npm, no network) the pages use the system fonts.
The font is under the SIL Open Font License 1.1, whose text is written beside it.
"""

import base64
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

PACKAGE = "@fontsource/noto-sans-kr"
VERSION = "5.3.0"
# The registry's integrity of that version's tarball: a different tarball is refused.
INTEGRITY = "sha512-/JnpTjaCOXW7xUoqOyCVYSr05VOkDy5Yla9O+WAEiS7u+yYLsmHoqj6v1W0bf91G8G3XA2+NnRS3CX2Tf/FVZg=="
# forum.css asks for 400, 600 and 700; a browser draws 600 with the 700 face.
WEIGHTS = (400, 700)
# The version is in the path, so the files under it never change and are cached for a year.
DIRECTORY = f"vendor/noto-sans-kr-{VERSION}"
STYLESHEET = f"{DIRECTORY}/noto-sans-kr.css"
STATIC = Path(__file__).resolve().parent / "static"
CACHE_CONTROL = "public, max-age=31536000, immutable"

_FONT_FACE = re.compile(r"@font-face\s*{[^}]*}")
_SOURCE = re.compile(r"src:\s*url\(\./files/([\w.-]+\.woff2)\) format\('woff2'\)[^;]*;")


def stylesheet(static: Path = STATIC) -> str | None:
    """The stylesheet's path under static/, or None when the font was not installed."""
    return STYLESHEET if (static / STYLESHEET).is_file() else None


def _integrity(tarball: Path) -> str:
    digest = hashlib.sha512(tarball.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


def _pack(build: Path) -> Path:
    build.mkdir(parents=True, exist_ok=True)
    tarball = build / f"fontsource-noto-sans-kr-{VERSION}.tgz"
    if not tarball.is_file():
        subprocess.run(
            ["npm", "pack", "--silent", f"{PACKAGE}@{VERSION}", "--pack-destination", str(build)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    if _integrity(tarball) != INTEGRITY:
        tarball.unlink()
        raise SystemExit(f"{tarball.name}: integrity differs from the pinned one; removed it")
    return tarball


def _woff2_only(css: str) -> str:
    """The package's @font-face rules with only their woff2 source (every browser Forum serves)."""
    rules = []
    for rule in _FONT_FACE.findall(css):
        source = _SOURCE.search(rule)
        if source is None:
            raise SystemExit(f"{PACKAGE}: unexpected @font-face rule: {rule[:80]}")
        rules.append(
            rule.replace(source.group(0), f"src: url(files/{source.group(1)}) format('woff2');")
        )
    return "\n".join(rules) + "\n"


def install(build: Path, static: Path = STATIC) -> Path:
    """Writes the slices, the stylesheet and the licence under static/; returns the stylesheet."""
    target = static / DIRECTORY
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "files").mkdir(parents=True)
    with tarfile.open(_pack(build)) as tarball:

        def read(name: str) -> bytes:
            member = tarball.extractfile(f"package/{name}")
            assert member is not None, name
            return member.read()

        css = "".join(_woff2_only(read(f"{weight}.css").decode()) for weight in WEIGHTS)
        for name in re.findall(r"url\(files/([\w.-]+\.woff2)\)", css):
            (partial / "files" / name).write_bytes(read(f"files/{name}"))
        (partial / "LICENSE").write_bytes(read("LICENSE"))
    header = f"/* {PACKAGE} {VERSION}, weights {', '.join(map(str, WEIGHTS))}; SIL OFL 1.1 (LICENSE) */\n"
    (partial / "noto-sans-kr.css").write_text(header + css)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target / "noto-sans-kr.css"


def main() -> int:
    if stylesheet() is not None:
        return 0
    if shutil.which("npm") is None:
        print("No npm: Forum's pages use the system fonts (the Korean web font needs npm)")
        return 0
    try:
        print(f"Installed the Korean web font: {install(Path('build/web-font'))}")
    except subprocess.CalledProcessError:
        print(f"npm could not fetch {PACKAGE}@{VERSION}: Forum's pages use the system fonts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
