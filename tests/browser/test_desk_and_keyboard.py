"""At a desk without a mouse: the sign-in form is reached and sent with the keyboard alone, shows
its errors next to the labelled fields, and whatever has the focus carries a visible outline."""

import pytest
from playwright.sync_api import expect
from visitor import SCREENSHOTS, LanguageCheck, Visitor

pytestmark = pytest.mark.browser
LOCALES = {"en": "en-US", "ko": "ko-KR"}
MOST_TABS = 12


def focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator) -> None:
    """Press Tab, as a keyboard user does, until `locator` has the focus."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if focused(locator):
            return
    raise AssertionError(f"{MOST_TABS} presses of Tab never reached {locator}")


def outline_of(locator) -> tuple[str, float]:
    return locator.evaluate(
        "element => { const style = getComputedStyle(element);"
        " return [style.outlineStyle, parseFloat(style.outlineWidth)]; }"
    )


def assert_focus_visible(locator) -> None:
    style, width = outline_of(locator)
    assert style != "none" and width >= 2, f"focus outline {style} {width}px"


@pytest.fixture(params=sorted(LOCALES))
def visitor(request, live_server, new_context):
    language = request.param
    page = new_context(LOCALES[language], "Asia/Seoul").new_page()
    return Visitor(page, language, live_server, SCREENSHOTS / language, LanguageCheck(language))


def test_sign_in_with_the_keyboard_alone_and_errors_beside_the_fields(visitor, make_user, password):
    user = make_user(email="keys@example.org", name="Kim Ki-bo", locale=visitor.language)
    page = visitor.page
    visitor.go("/auth/login")
    email, secret = visitor.field("E-mail address"), visitor.field("Password")

    skip = page.get_by_role("link", name=visitor.t("Skip to content"))
    tab_to(page, skip)
    assert_focus_visible(skip)
    expect(skip).to_be_in_viewport()

    tab_to(page, email)
    assert_focus_visible(email)
    page.keyboard.type(user.email)
    visitor.press_enter()  # the password is missing

    expect(secret).to_have_attribute("aria-invalid", "true")
    error = page.locator(f"#{secret.get_attribute('aria-describedby')}")
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    field_box, error_box = secret.bounding_box(), error.bounding_box()
    assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 40, (
        "the error sits right under its field"
    )
    expect(email).to_have_value(user.email)
    expect(email).not_to_have_attribute("aria-invalid", "true")

    tab_to(page, secret)
    assert_focus_visible(secret)
    page.keyboard.type(password)
    submit = page.get_by_role("button", name=visitor.t("Sign in"), exact=True)
    tab_to(page, submit)
    assert_focus_visible(submit)
    visitor.press_enter()
    expect(page.get_by_role("link", name=user.name)).to_be_visible()
    expect(page.get_by_role("button", name=visitor.t("Sign out"))).to_be_visible()
    assert not visitor.language_check.problems, visitor.language_check.report()
