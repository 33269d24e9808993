"""The Korean web font: Forum serves Noto Sans KR itself (installed by `make setup` from the npm
package, see forum/web_font.py), sliced by unicode-range, with long caching; the pages link it and
still work with the system fonts when it is absent; a tarball that is not the pinned one is refused.
"""

import re
import tarfile
from pathlib import Path

import pytest

from forum import config as forum_config
from forum import create_app, web_font
from forum.security import CONTENT_SECURITY_POLICY

FONT_FACE = re.compile(r"@font-face\s*{([^}]*)}")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
IMMUTABLE = "public, max-age=31536000, immutable"


def font_faces(css: str) -> list[dict[str, str]]:
    faces = []
    for body in FONT_FACE.findall(css):
        faces.append(
            {
                name.strip(): value.strip()
                for name, value in (part.split(":", 1) for part in body.split(";") if ":" in part)
            }
        )
    return faces


def covers(unicode_range: str, character: str) -> bool:
    code = ord(character)
    for part in unicode_range.split(","):
        first, _, last = part.strip().removeprefix("U+").partition("-")
        if int(first, 16) <= code <= int(last or first, 16):
            return True
    return False


def shown_text(html: str) -> str:
    body = html.split("<body", 1)[1]
    return re.sub(r"<[^>]+>", " ", body)


@pytest.fixture
def stylesheet_url():
    # `make setup` / `make test` install the font; without it this test fails rather than skips.
    assert web_font.stylesheet() == web_font.STYLESHEET, "run `make setup` (installs the font)"
    return f"/static/{web_font.STYLESHEET}"


def test_a_korean_page_links_the_font_and_every_hangul_glyph_has_a_served_slice(
    client, stylesheet_url
):
    page = client.get("/", headers={"Accept-Language": "ko"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'<link rel="stylesheet" href="{stylesheet_url}">' in html
    assert "font-src 'self'" in CONTENT_SECURITY_POLICY
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY

    css = client.get(stylesheet_url)
    assert css.status_code == 200
    assert css.mimetype == "text/css"
    assert css.headers["Cache-Control"] == IMMUTABLE
    faces = font_faces(css.get_data(as_text=True))
    assert {face["font-weight"] for face in faces} == {"400", "700"}
    assert {face["font-display"] for face in faces} == {"swap"}
    assert all(
        re.fullmatch(r"url\(files/[\w.-]+\.woff2\) format\('woff2'\)", f["src"]) for f in faces
    )

    hangul = set(HANGUL.findall(shown_text(html)))
    assert len(hangul) > 10
    needed = set()
    for character in hangul:
        slices = [
            f["src"]
            for f in faces
            if f["font-weight"] == "400" and covers(f["unicode-range"], character)
        ]
        assert slices, f"no slice draws {character!r}"
        needed.update(slices)
    # A browser fetches only these slices for the page, a few of the 124 of a weight.
    assert len(needed) < len(faces) / 4
    for source in sorted(needed):
        path = re.search(r"url\((files/[^)]+)\)", source).group(1)
        woff2 = client.get(f"/static/{web_font.DIRECTORY}/{path}")
        assert woff2.status_code == 200
        assert woff2.mimetype == "font/woff2"
        assert woff2.headers["Cache-Control"] == IMMUTABLE
        assert woff2.headers["X-Content-Type-Options"] == "nosniff"
        assert woff2.get_data()[:4] == b"wOF2"


def test_a_missing_slice_is_a_plain_404_that_is_not_cached(client, stylesheet_url):
    missing = client.get(f"/static/{web_font.DIRECTORY}/files/no-such-slice.woff2")
    assert missing.status_code == 404
    assert missing.headers.get("Cache-Control") != IMMUTABLE


def test_the_licence_is_served_beside_the_font(client, stylesheet_url):
    licence = client.get(f"/static/{web_font.DIRECTORY}/LICENSE")
    assert licence.status_code == 200
    assert "SIL Open Font License, Version 1.1" in licence.get_data(as_text=True)


def test_without_the_font_the_pages_use_the_system_fonts(app, tmp_path):
    assert web_font.stylesheet(tmp_path) is None
    config = forum_config.TestingConfig(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"])
    config.WEB_FONT_STYLESHEET = None  # what create_app finds when `make setup` had no npm
    bare = create_app(config)
    with bare.app_context():
        page = bare.test_client().get("/", headers={"Accept-Language": "ko"})
        html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "vendor/" not in html
    assert 'href="/static/forum.css"' in html


def test_a_tarball_that_is_not_the_pinned_one_is_refused_and_removed(tmp_path):
    build, static = tmp_path / "build", tmp_path / "static"
    build.mkdir()
    tarball = build / f"fontsource-noto-sans-kr-{web_font.VERSION}.tgz"
    css = tmp_path / "400.css"
    css.write_text("@font-face { src: url(https://elsewhere.example/font.woff2); }")
    with tarfile.open(tarball, "w:gz") as archive:
        archive.add(css, arcname="package/400.css")

    with pytest.raises(SystemExit, match="integrity differs"):
        web_font.install(build, static)
    assert not tarball.exists()
    assert web_font.stylesheet(static) is None
    assert not (static / web_font.DIRECTORY).exists()


def test_the_stylesheet_keeps_only_local_woff2_sources():
    rule = (
        "@font-face {\n  font-family: 'Noto Sans KR';\n  font-display: swap;\n"
        "  src: url(./files/noto-sans-kr-7-400-normal.woff2) format('woff2'), "
        "url(./files/noto-sans-kr-7-400-normal.woff) format('woff');\n  unicode-range: U+ac00-ac0f;\n}"
    )
    assert "src: url(files/noto-sans-kr-7-400-normal.woff2) format('woff2');" in (
        web_font._woff2_only(rule)
    )
    with pytest.raises(SystemExit, match="unexpected @font-face"):
        web_font._woff2_only("@font-face { src: url(https://elsewhere.example/a.woff2); }")


def test_the_installed_font_is_the_one_the_stylesheet_names(stylesheet_url):
    directory = Path(web_font.STATIC) / web_font.DIRECTORY
    css = (directory / "noto-sans-kr.css").read_text(encoding="utf-8")
    named = set(re.findall(r"url\(files/([^)]+)\)", css))
    assert named == {path.name for path in (directory / "files").iterdir()}
