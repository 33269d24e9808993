"""The one check of a web address that people type or import (an organisation's website, a
table's video room): what Forum stores is an http(s) address of a named host, shown to other
participants as a link, so it must be unambiguous about where it leads."""

import re
import unicodedata
from urllib.parse import urlsplit

MAX_LENGTH = 500
# A host label: letters (any script, for internationalised names), digits and inner hyphens.
_LABEL = re.compile(r"^(?!-)[^\W_](?:[\w-]{0,61}[^\W_])?$", re.UNICODE)


def _is_host_name(host: str) -> bool:
    labels = host.rstrip(".").split(".")
    return len(labels) >= 2 and all(_LABEL.match(label) for label in labels) and len(host) <= 253


def _has_invisible_characters(value: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Zs") for char in value)


def web_address(value: str | None, add_scheme: bool = True) -> str | None:
    """`value` as the address to keep (with https:// added when no scheme was typed), or None when
    it is not an http(s) address of a named host: no brackets or IP literals, no port out of range,
    no user name before the host (https://bank.example@evil.example), no spaces or control
    characters. Never raises."""
    value = (value or "").strip()
    if not value or len(value) > MAX_LENGTH or _has_invisible_characters(value):
        return None
    if add_scheme and "://" not in value:
        value = "https://" + value
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError:
        return None
    host = parts.hostname or ""
    if (
        parts.scheme not in ("http", "https")
        or parts.username is not None
        or "[" in parts.netloc
        or "]" in parts.netloc
        or not _is_host_name(host)
        or (port is not None and port == 0)
    ):
        return None
    return value
