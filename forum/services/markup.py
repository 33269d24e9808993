"""Markdown written by organizers, turned into HTML that cannot run script: markdown-it with raw
HTML disabled, then the nh3 sanitiser with an allow-list of tags, attributes and link schemes."""

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "s",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
LINK_SCHEMES = {"http", "https", "mailto"}

_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Images come from this site only (an address starting with one "/"): an outside image would
    tell another server who reads the page. Links keep only the schemes nh3 is given."""
    if (
        tag == "img"
        and attribute == "src"
        and not (value.startswith("/") and not value.startswith("//"))
    ):
        return None
    return value


def render_markdown(text: str) -> str:
    """Safe HTML for `text`: no raw HTML, no script, no event handlers, links to http(s) and
    mailto only, each with rel="noopener nofollow"."""
    return nh3.clean(
        _markdown.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=LINK_SCHEMES,
        link_rel="noopener nofollow",
    )
