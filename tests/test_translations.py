"""The Korean catalog: every message of the source translated, placeholders kept, and pages shown in
Korean to whoever asks for it (the browser's Accept-Language, or the account's preferred language)."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KO_CATALOG = ROOT / "forum" / "translations" / "ko" / "LC_MESSAGES" / "messages.po"
# `%(name)s`, `%(num)d`… (Python formatting, as Flask-Babel uses) and `{name}` (str.format).
PLACEHOLDER = re.compile(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|\{[^{}]*\}")


def catalog_keywords() -> dict:
    """The keywords of `make catalog`: Babel's defaults plus each `-k` of the target's recipe."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^catalog:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1)
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(parse_keywords(re.findall(r"(?:-k|--keyword[= ])\s*(\S+)", recipe)))
    return keywords


def source_messages() -> dict:
    """msgid (the singular of a plural) and context -> where it is used, extracted like `make catalog` does."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config, "babel.cfg")
    messages = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=catalog_keywords(), strip_comment_tags=True
    ):
        msgid = message[0] if isinstance(message, (list, tuple)) else message
        if msgid:
            messages.setdefault((msgid, context), f"{filename}:{lineno}")
    return messages


@pytest.fixture(scope="module")
def korean():
    with KO_CATALOG.open("rb") as po_file:
        return read_po(po_file, locale="ko")


def translations(message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


def test_the_korean_catalog_has_one_plural_form(korean):
    assert korean.num_plurals == 1
    assert korean.plural_expr == "0"


def test_every_message_of_the_source_has_a_korean_translation(korean):
    messages = source_messages()
    assert len(messages) > 500, "the extraction found almost nothing: is babel.cfg read?"
    missing = []
    for (msgid, context), where in sorted(messages.items(), key=lambda item: item[1]):
        entry = korean.get(msgid, context=context)
        if (
            entry is None
            or "fuzzy" in entry.flags
            or not all(text.strip() for text in translations(entry))
        ):
            state = (
                "absent" if entry is None else "fuzzy" if "fuzzy" in entry.flags else "untranslated"
            )
            missing.append(f"{where}: {msgid!r} ({state})")
    assert not missing, (
        f"{len(missing)} messages lack a Korean translation; run `make catalog` and translate "
        "forum/translations/ko/LC_MESSAGES/messages.po:\n" + "\n".join(missing)
    )


def test_translations_keep_the_placeholders_of_their_msgid(korean):
    wrong = []
    for message in korean:
        if not message.id:
            continue
        # A plural's only Korean form stands for every count; `pybabel compile` checks it against the
        # singular msgid, so it may use only the singular's placeholders.
        source = message.id[0] if message.pluralizable else message.id
        expected = sorted(PLACEHOLDER.findall(source))
        for text in translations(message):
            if text and sorted(PLACEHOLDER.findall(text)) != expected:
                wrong.append(
                    f"{source!r}: {expected} but {sorted(PLACEHOLDER.findall(text))} in {text!r}"
                )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "catalog",
    sorted((ROOT / "forum" / "translations").glob("*/LC_MESSAGES/messages.po")),
    ids=lambda path: path.parts[-3],
)
def test_every_catalog_passes_the_checks_of_pybabel_compile(catalog):
    """`make setup` compiles the catalogs with `pybabel compile`, which fails on what Babel's
    checkers flag (e.g. a plural whose one Korean form uses a placeholder its singular lacks)."""
    with catalog.open("rb") as po_file:
        parsed = read_po(po_file)
    problems = [
        f"{message.id!r}: {error}" for message, errors in parsed.check() for error in errors
    ]
    assert not problems


# A Korean particle after a name depends on the name's last syllable; "(으)로", "을(를)"… glued
# to a placeholder read as a form, not a sentence: such entries are rephrased instead.
BRACKETED_PARTICLE = re.compile(
    "(?:" + PLACEHOLDER.pattern + r")[\"'”’」』)]*\s?(?:[가-힣]?\([가-힣]{1,2}\)[가-힣]?)"
)


def test_no_bracketed_particle_follows_a_placeholder(korean):
    glued = [
        f"{message.id!r}: {text!r}"
        for message in korean
        if message.id
        for text in translations(message)
        if text and BRACKETED_PARTICLE.search(text)
    ]
    assert not glued, "\n".join(glued)


def test_translations_keep_the_line_breaks_of_e_mails(korean):
    wrong = [
        message.id
        for message in korean
        if message.id
        and not message.pluralizable
        and message.string
        and message.id.count("\n\n") != message.string.count("\n\n")
    ]
    assert not wrong, wrong


def test_a_browser_asking_for_korean_gets_korean_pages(client):
    page = client.get(
        "/auth/login", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"}
    ).get_data(as_text=True)
    assert '<html lang="ko">' in page
    assert "<h1>로그인</h1>" in page
    assert '<button type="submit">로그인</button>' in page
    assert "비밀번호를 잊으셨나요?" in page
    assert "Sign in" not in page


def test_form_errors_are_shown_in_korean(client):
    response = client.post_form("/auth/signup", {}, headers={"Accept-Language": "ko"})
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 400, 422)
    assert "<h1>Forum 회원가입</h1>" in page
    assert "이 항목은 필수입니다." in page  # WTForms' own Korean message, through Flask-WTF
    assert "This field is required." not in page


def test_korean_form_error_of_our_own_messages(client):
    response = client.post_form(
        "/auth/signup",
        {"name": "김민지", "email": "minji@example.org", "password": "short", "confirm": "short"},
        headers={"Accept-Language": "ko"},
    )
    assert "10자 이상 128자 이하로 입력하세요." in response.get_data(as_text=True)


@pytest.mark.parametrize("browser", ["en-US,en;q=0.9", "de", ""])
def test_a_user_who_prefers_korean_gets_korean_whatever_the_browser_says(
    client, make_user, login, browser
):
    user = make_user(locale="ko")
    login(client, user)
    page = client.get("/", headers={"Accept-Language": browser} if browser else {}).get_data(
        as_text=True
    )
    assert "로그아웃" in page
    assert "Sign out" not in page


def test_a_user_who_prefers_english_gets_english_from_a_korean_browser(client, make_user, login):
    user = make_user(locale="en")
    login(client, user)
    page = client.get("/", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert "Sign out" in page
    assert "로그아웃" not in page
