"""Pages of a long list: the organizer's registrations and requests, the marketplace and the
directory. One query counts the matches and one loads the page; a page number past the end shows
the last page (a bookmarked link keeps working as the list shrinks), one below 1 the first."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from math import ceil
from typing import Any

from sqlalchemy import Select, func, select

from ..extensions import db

PER_PAGE = 50  # rows of an organizer's table
FURTHEST_PAGE = 10**6  # keeps absurd page numbers inside the databases' integers


@dataclass
class Page:
    items: list[Any] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


def count_and_clamp(
    statement: Select[Any], page: int, per_page: int, total: int | None = None
) -> tuple[int, int, int]:
    """(total, page, pages) of a statement, counted unless the caller knows the `total`; a page
    beyond the last is the last one."""
    if total is None:
        total = (
            db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
            or 0
        )
    pages = max(1, ceil(total / per_page))
    return total, min(max(1, page), pages), pages


def paginate(
    statement: Select[Any], page: int, per_page: int = PER_PAGE, total: int | None = None
) -> Page:
    """The `page`-th page (from 1) of the statement's rows, `per_page` at most; `total`, when the
    caller has it from counts read in the same transaction, spares counting the rows again."""
    total, page, pages = count_and_clamp(statement, min(page, FURTHEST_PAGE), per_page, total)
    items = list(
        db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).unique()
    )
    return Page(items=items, total=total, page=page, pages=pages)


def page_of(items: Sequence[Any], page: int, per_page: int = PER_PAGE) -> Page:
    """The same, of a list already in memory (a draft's meetings, an event's tables)."""
    pages = max(1, ceil(len(items) / per_page))
    page = min(max(1, page), pages)
    return Page(
        items=list(items[(page - 1) * per_page : page * per_page]),
        total=len(items),
        page=page,
        pages=pages,
    )
