"""Marketplace search: the full-text index of opportunities and the searches over it.

The index holds listed opportunities only (neither withdrawn nor hidden), as the tokens of
`text.tokenize` (Korean nouns and compounds by Kiwi, English stems; analysed once, when the
opportunity is written, so a search analyses only its query): SQLite keeps them in the FTS5 table `opportunity_search` (rowid = opportunity id,
plus an `event` column holding one token such as e42), PostgreSQL in `opportunity_search.document`,
a `simple` tsvector with a GIN index (migrations 0003, 0012). A query is a conjunction of
parts, each a disjunction of phrases (`text.query_terms`: words, `OR`, "quoted phrases"). `refresh_index` is called by every service
that changes an opportunity, in its transaction; a deleted opportunity leaves the index by foreign
key (PostgreSQL) or trigger (SQLite).
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from math import ceil
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Row,
    Select,
    bindparam,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    true,
)
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    Event,
    Opportunity,
    Organisation,
    Participant,
    PortfolioItem,
    TechnologyArea,
    User,
    opportunity_area,
)
from . import glossary
from .paging import FURTHEST_PAGE, Page, count_and_clamp, paginate
from .text import Alternatives, QueryTerm, index_tokens_many, query_terms

PER_PAGE = 20
SORTS = ("relevance", "newest", "title")
# How much a match counts per field: the event column not at all, then title before keywords and
# areas, before summary, before description.
SQLITE_WEIGHTS = "0.0, 10.0, 5.0, 2.0, 1.0"
_sqlite_index = table("opportunity_search", column("rowid"))
_postgres_index = table(
    "opportunity_search",
    column("opportunity_id"),
    column("event_id"),
    column("document"),
    column("head"),
)
_INSERT_SQLITE = text(
    "INSERT INTO opportunity_search (rowid, event, title, keywords, summary, description) "
    "VALUES (:id, :event, :title, :keywords, :summary, :description)"
)
_INSERT_POSTGRES = text(
    "INSERT INTO opportunity_search (opportunity_id, event_id, head, document) "
    "SELECT :id, :event_id, head, head || setweight(to_tsvector('simple', :description), 'D') FROM (SELECT "
    "setweight(to_tsvector('simple', :title), 'A') || setweight(to_tsvector('simple', :keywords), 'B') || "
    "setweight(to_tsvector('simple', :summary), 'C') AS head) AS parts"
)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _index_key() -> str:
    """The index's column holding the opportunity id."""
    return "opportunity_id" if _dialect() == "postgresql" else "rowid"


def _event_token(event_id: int) -> str:
    return f"e{int(event_id)}"


def _field_texts(opportunity: Opportunity) -> tuple[str, str, str, str]:
    """The texts of the indexed fields (in FIELDS order); the second-language title, summary
    and keywords count as their own, the areas' names as keywords."""
    keywords_and_areas = " ".join(
        [opportunity.keywords, opportunity.second_keywords or ""]
        + [area.name for area in opportunity.areas]
    )
    return (
        f"{opportunity.title}\n{opportunity.second_title or ''}",
        keywords_and_areas,
        f"{opportunity.summary}\n{opportunity.second_summary or ''}",
        opportunity.description or "",
    )


def _fields(
    opportunity: Opportunity, analysed: Iterable[tuple[str, ...]] | None = None
) -> dict[str, str | int]:
    """The index row of the opportunity (`analysed`: the tokens of its `_field_texts`, when
    they were analysed already)."""
    if analysed is None:
        analysed = index_tokens_many(list(_field_texts(opportunity)))
    return {
        "event": _event_token(opportunity.event_id),
        "event_id": opportunity.event_id,
        **{name: " ".join(tokens) for name, tokens in zip(FIELDS, analysed, strict=True)},
    }


def is_listed(opportunity: Opportunity) -> bool:
    return not opportunity.withdrawn and not opportunity.hidden


def refresh_index(opportunity: Opportunity) -> None:
    """Bring the opportunity's index entry in step with it: written when listed, removed otherwise."""
    db.session.flush()
    db.session.execute(
        text(f"DELETE FROM opportunity_search WHERE {_index_key()} = :id"), {"id": opportunity.id}
    )
    if is_listed(opportunity):
        db.session.execute(
            _INSERT_POSTGRES if _dialect() == "postgresql" else _INSERT_SQLITE,
            dict(_fields(opportunity), id=opportunity.id),
        )


def rebuild_index(event: Event) -> int:
    """Index every listed opportunity of the event in one go; returns how many."""
    db.session.execute(
        text(
            f"DELETE FROM opportunity_search WHERE {_index_key()} IN "
            "(SELECT id FROM opportunity WHERE event_id = :event_id)"
        ),
        {"event_id": event.id},
    )
    listed = db.session.scalars(
        select(Opportunity)
        .where(
            Opportunity.event_id == event.id,
            Opportunity.withdrawn.is_(False),
            Opportunity.hidden.is_(False),
        )
        .options(selectinload(Opportunity.areas))
    )
    return _insert_entries(list(listed))


def index_new(opportunities: list[Opportunity]) -> int:
    """Index opportunities just written (flushed) and not indexed yet, in one go: a bulk
    publication's cost grows with what it adds, not with the event's index; returns how many."""
    return _insert_entries([opportunity for opportunity in opportunities if is_listed(opportunity)])


def _insert_entries(opportunities: list[Opportunity]) -> int:
    # All texts analysed at once: Kiwi's batch mode is far faster than a call per text.
    texts = [text for opportunity in opportunities for text in _field_texts(opportunity)]
    analysed = index_tokens_many(texts)
    rows = [
        dict(_fields(opportunity, analysed[4 * index : 4 * index + 4]), id=opportunity.id)
        for index, opportunity in enumerate(opportunities)
    ]
    if rows:
        db.session.execute(_INSERT_POSTGRES if _dialect() == "postgresql" else _INSERT_SQLITE, rows)
    return len(rows)


# The index's fields in order, and the tsvector weights PostgreSQL gives them.
FIELDS = ("title", "keywords", "summary", "description")
_FIELD_OF_WEIGHT = {"A": 0, "B": 1, "C": 2, "D": 3}


def analysed_fields(
    event_id: int, opportunity_ids: list[int] | None = None
) -> dict[int, tuple[list[str], ...]]:
    """The analysed tokens of each indexed opportunity of the event (or only of those of
    `opportunity_ids`), per field (keywords with the areas' names), in their order: what
    suggestions weigh, read back so that a refresh runs no analyser (PostgreSQL's tokens put in
    order by their positions, so that suggestions see the glossary's phrases on both databases)."""
    fields: dict[int, tuple[list[str], ...]] = {}
    if opportunity_ids is not None and not opportunity_ids:
        return fields
    postgresql = _dialect() == "postgresql"
    if opportunity_ids is not None:
        where = text(f"{'s.opportunity_id' if postgresql else 'rowid'} IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        parameters: dict[str, Any] = {"ids": opportunity_ids}
    elif postgresql:
        where, parameters = text("s.event_id = :event_id"), {"event_id": event_id}
    else:
        where = text("opportunity_search MATCH :query")
        parameters = {"query": f"event : {_event_token(event_id)}"}
    if postgresql:
        # One row per opportunity and field, its lexemes joined by the server (a row per lexeme
        # and position costs seconds to read at 20,000 opportunities).
        grouped: Any = db.session.execute(
            select(
                literal_column("s.opportunity_id"),
                literal_column("w.weight"),
                literal_column("string_agg(u.lexeme, ' ' ORDER BY w.position)"),
            )
            .select_from(
                text(
                    "opportunity_search AS s CROSS JOIN LATERAL unnest(s.document) AS u "
                    "CROSS JOIN LATERAL unnest(u.positions, u.weights) AS w(position, weight)"
                )
            )
            .where(where)
            .group_by(literal_column("s.opportunity_id"), literal_column("w.weight")),
            parameters,
        )
        for opportunity_id, weight, lexemes in grouped:
            lists = fields.setdefault(opportunity_id, tuple([] for _field in FIELDS))
            lists[_FIELD_OF_WEIGHT[weight]].extend(lexemes.split(" "))
        return fields
    indexed: Any = db.session.execute(
        select(
            literal_column("rowid"),
            *(literal_column(name) for name in ("title", "keywords", "summary", "description")),
        )
        .select_from(text("opportunity_search"))
        .where(where),
        parameters,
    )
    for row in indexed:
        fields[row[0]] = tuple(str(value or "").split() for value in row[1:])
    return fields


def _fts5_term(term: QueryTerm) -> str:
    # Tokens are letters and digits only, so quoting them cannot break the expression.
    return '"' + " ".join(term.tokens) + '"' + ("*" if term.prefix else "")


def _fts5_query(groups: Iterable[Alternatives]) -> str:
    return " AND ".join(
        "(" + " OR ".join(_fts5_term(term) for term in group) + ")" for group in groups
    )


def _tsquery_term(term: QueryTerm) -> str:
    tokens = [f"'{token}'" for token in term.tokens]  # quoted: a token never holds a quote
    if term.prefix:
        tokens[-1] += ":*"
    return "(" + " <-> ".join(tokens) + ")"


def _tsquery(groups: Iterable[Alternatives]) -> str:
    return " & ".join(
        "(" + " | ".join(_tsquery_term(term) for term in group) + ")" for group in groups
    )


@dataclass
class OpportunitySearch:
    """What a marketplace visitor asks for; every filter is optional."""

    text: str = ""
    kind: str | None = None
    type: str | None = None
    area_id: int | None = None
    area_code: str | None = None  # a classification code: the same area at every event
    trl_min: int | None = None
    trl_max: int | None = None
    country: str | None = None
    organisation_kind: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE


def _page_of_opportunities(
    ids: Select[Any], counted: Select[Any], page: int, per_page: int, counted_first: bool = False
) -> Page:
    """Pages over ids and loads only the page's opportunities: sorting the whole rows (long
    descriptions) of every match is what is slow. The total comes with the page (a window count),
    so the matches are found once; `counted` (the same set, cheaper) is counted only for a page
    beyond the last, which then shows the last one. With `counted_first` (a set read from an
    index alone), `counted` is counted first and the page then read up to its end: the window
    count keeps every row of the set (51 ms against 13 ms for 60,000 opportunities)."""
    page = min(max(1, page), FURTHEST_PAGE)
    rows: Sequence[Row[Any]] = []
    if not counted_first:
        rows = db.session.execute(
            ids.add_columns(func.count().over().label("total"))
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
    if rows:
        total = rows[0].total
        pages = max(1, ceil(total / per_page))
    else:
        total, page, pages = count_and_clamp(counted, page, per_page)
        if total:
            rows = db.session.execute(ids.limit(per_page).offset((page - 1) * per_page)).all()
    page_ids = [row[0] for row in rows]
    loaded = {
        opportunity.id: opportunity
        for opportunity in db.session.scalars(
            select(Opportunity)
            .where(Opportunity.id.in_(page_ids))
            .options(
                selectinload(Opportunity.areas),
                selectinload(Opportunity.participant).selectinload(Participant.organisation),
            )
        )
    }
    # An opportunity deleted since its id was read is simply left out.
    items = [loaded[opportunity_id] for opportunity_id in page_ids if opportunity_id in loaded]
    return Page(items=items, total=total, page=page, pages=pages)


def public_catalogue() -> list[ColumnElement[bool]]:
    """The public catalogue: the latest presentation of each item of a public organisation (not
    archived), listed at an event past its draft, of an item nowhere hidden by organizers."""
    latest = select(func.max(Opportunity.id)).group_by(Opportunity.portfolio_item_id)
    public_items = (
        select(PortfolioItem.id)
        .join(Organisation, Organisation.id == PortfolioItem.organisation_id)
        .where(Organisation.public.is_(True), Organisation.archived_at.is_(None))
    )
    hidden_items = select(Opportunity.portfolio_item_id).where(Opportunity.hidden.is_(True))
    shown_events = select(Event.id).where(Event.status != "draft")
    return [
        Opportunity.id.in_(latest),
        Opportunity.portfolio_item_id.in_(public_items),
        Opportunity.portfolio_item_id.not_in(hidden_items),
        Opportunity.event_id.in_(shown_events),
    ]


def _conditions(event: Event | None, search: OpportunitySearch) -> list[ColumnElement[bool]]:
    """Where-clauses on `Opportunity` for the event's listed opportunities (no event: the public
    catalogue's) and the search's filters."""
    conditions = [
        Opportunity.event_id == event.id if event is not None else true(),
        Opportunity.withdrawn.is_(False),
        Opportunity.hidden.is_(False),
    ]
    if event is None:
        conditions.extend(public_catalogue())
    if search.kind:
        conditions.append(Opportunity.kind == search.kind)
    if search.type:
        conditions.append(Opportunity.type == search.type)
    if search.area_id is not None:
        conditions.append(
            Opportunity.id.in_(
                select(opportunity_area.c.opportunity_id).where(
                    opportunity_area.c.area_id == search.area_id
                )
            )
        )
    if search.area_code:
        conditions.append(
            Opportunity.id.in_(
                select(opportunity_area.c.opportunity_id)
                .join(TechnologyArea, TechnologyArea.id == opportunity_area.c.area_id)
                .where(TechnologyArea.code == search.area_code)
            )
        )
    if search.trl_min is not None:
        conditions.append(Opportunity.trl >= search.trl_min)
    if search.trl_max is not None:
        conditions.append(Opportunity.trl <= search.trl_max)
    if search.country or search.organisation_kind:
        organisations = select(Participant.id).join(Organisation)
        if event is not None:
            organisations = organisations.where(Participant.event_id == event.id)
        if search.country:
            organisations = organisations.where(Organisation.country == search.country)
        if search.organisation_kind:
            organisations = organisations.where(Organisation.kind == search.organisation_kind)
        conditions.append(Opportunity.participant_id.in_(organisations))
    return conditions


def _has_filters(search: OpportunitySearch) -> bool:
    return any(
        value is not None and value != ""
        for value in (
            search.kind,
            search.type,
            search.area_id,
            search.area_code,
            search.trl_min,
            search.trl_max,
            search.country,
            search.organisation_kind,
        )
    )


def _hits(
    event: Event | None, search: OpportunitySearch, terms: list[Alternatives], ranked: bool
) -> CTE:
    """The event's indexed opportunities that match the terms and pass the filters, as a CTE of ids
    (and ranks, higher is better), found without reading `opportunity` unless there are filters:
    the index holds listed opportunities only, and knows their event. Filters sit inside, so only
    rows that pass them are ranked."""
    if _dialect() == "postgresql":
        query = func.to_tsquery(literal_column("'simple'::regconfig"), _tsquery(terms))
        key = _postgres_index.c.opportunity_id
        # Ranked on title, keywords and summary only: reading every match's whole document
        # (long descriptions) is what made ranking slow; a description-only match ranks last.
        columns = [key.label("id")] + (
            [func.ts_rank(_postgres_index.c.head, query).label("rank")] if ranked else []
        )
        hits = select(*columns).where(
            _postgres_index.c.event_id == event.id if event is not None else true(),
            _postgres_index.c.document.op("@@")(query),
        )
    else:
        key = literal_column("+rowid")  # “+”: checked on each match, not probed row by row in FTS5
        columns = [literal_column("rowid").label("id")] + (
            [literal_column(f"-bm25(opportunity_search, {SQLITE_WEIGHTS})").label("rank")]
            if ranked
            else []
        )
        expression = f"{{title keywords summary description}} : ({_fts5_query(terms)})"
        if event is not None:
            expression = f"event : {_event_token(event.id)} AND {expression}"
        hits = (
            select(*columns)
            .select_from(_sqlite_index)
            .where(text("opportunity_search MATCH :fts_query").bindparams(fts_query=expression))
        )
    if _has_filters(search) or event is None:
        hits = hits.where(key.in_(select(Opportunity.id).where(*_conditions(event, search))))
    # Materialized first: joined directly to `opportunity`, SQLite would probe FTS5 once per
    # opportunity of the event (seconds instead of milliseconds).
    return hits.cte("ranked_hits" if ranked else "hits").prefix_with("MATERIALIZED")


@contextmanager
def _matches_through_the_index() -> Iterator[None]:
    """On PostgreSQL, the statements inside find the matches through the GIN index of `document`.

    For a word in most opportunities the planner prefers reading the whole table, pricing the
    test of each row's `document` as cheap; but documents hold the descriptions, stored out of
    line and compressed, so each row is fetched and decompressed: 3–5 times the index's time at
    20,000 opportunities (BENCHMARKS.md, "Marketplace search"). The setting is put back after."""
    if _dialect() != "postgresql":
        yield
        return
    previous = db.session.execute(
        text("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
    ).scalar_one()
    try:
        yield
    finally:
        db.session.execute(
            text("SELECT set_config('enable_seqscan', :previous, true)"), {"previous": previous}
        )


def _page_of_listed(ids: Select[Any], search: OpportunitySearch) -> Page:
    """A page of the opportunities that pass the filters, without words. Newest first without a
    filter of organisations: counted, then the page read up to its end, both from the index of
    listed opportunities alone (`ix_opportunity_listed`). Otherwise found first (a materialized
    CTE), then put in order: asked in one statement with its LIMIT, PostgreSQL expects to stop
    after a page and checks each opportunity's organisation one at a time, though the window
    count reads them all (61,000 buffers against 3,400 for 3,000 of 20,000)."""
    if search.sort != "title" and not (search.country or search.organisation_kind):
        newest = ids.order_by(Opportunity.id.desc())
        return _page_of_opportunities(newest, ids, search.page, search.per_page, counted_first=True)
    listed = (
        ids.add_columns(func.lower(Opportunity.title).label("title"))
        .cte("listed")
        .prefix_with("MATERIALIZED")
    )
    order = [listed.c.title, listed.c.id] if search.sort == "title" else [listed.c.id.desc()]
    return _page_of_opportunities(
        select(listed.c.id).order_by(*order), select(listed.c.id), search.page, search.per_page
    )


def search_opportunities(event: Event | None, search: OpportunitySearch) -> Page:
    """One page of the event's listed opportunities (no event: the public catalogue's) that match
    every word of the text and every filter.

    Newest first is by id, which grows with publication and lets the database read an index in
    order instead of sorting.
    """
    terms = glossary.with_translations(query_terms(search.text))
    if terms and search.sort != "title":
        hits, counted = (
            _hits(event, search, terms, ranked=True),
            _hits(event, search, terms, ranked=False),
        )
        order: list[Any] = (
            [hits.c.rank.desc(), hits.c.id.desc()]
            if search.sort == "relevance"
            else [hits.c.id.desc()]
        )
        with _matches_through_the_index():
            return _page_of_opportunities(
                select(hits.c.id).order_by(*order),
                select(counted.c.id),
                search.page,
                search.per_page,
            )
    ids = select(Opportunity.id).where(*_conditions(event, search))
    if not terms:
        return _page_of_listed(ids, search)
    order = (
        [func.lower(Opportunity.title), Opportunity.id]
        if search.sort == "title"
        else [Opportunity.id.desc()]
    )
    hits = _hits(event, search, terms, ranked=False)
    ids = ids.join(hits, hits.c.id == Opportunity.id)
    with _matches_through_the_index():
        return _page_of_opportunities(ids.order_by(*order), ids, search.page, search.per_page)


def like_pattern(words: str) -> str:
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_directory(
    event: Event,
    words: str = "",
    country: str | None = None,
    organisation_kind: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    by_email: bool = False,
) -> Page:
    """One page of the event's approved participants, by name of person or organisation (and of
    e-mail address with `by_email`: the organizer's search, never the participants').

    In order of organisation then person, in any case: the database reads organisations in
    their index's order (`ix_organisation_name_lower`) and stops at the page's end. Counted
    without the people, and without the organisations unless a filter needs them."""
    conditions: list[ColumnElement[bool]] = [
        Participant.event_id == event.id,
        Participant.status == "approved",
        Participant.organisation_id.is_not(None),
    ]
    words = words.strip()
    if words:
        pattern = like_pattern(words.lower())
        columns = [User.name, Organisation.name] + ([User.email] if by_email else [])
        conditions.append(
            or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))
        )
    if country:
        conditions.append(Organisation.country == country)
    if organisation_kind:
        conditions.append(Organisation.kind == organisation_kind)
    counted = select(func.count()).select_from(Participant)
    if words or country or organisation_kind:
        counted = counted.join(Organisation, Organisation.id == Participant.organisation_id)
    if words:
        counted = counted.join(User, User.id == Participant.user_id)
    statement = (
        select(Participant)
        .join(Organisation, Organisation.id == Participant.organisation_id)
        .join(User, User.id == Participant.user_id)
        .where(*conditions)
        .options(selectinload(Participant.organisation), selectinload(Participant.user))
        .order_by(func.lower(Organisation.name), func.lower(User.name), Participant.id)
    )
    total = db.session.scalar(counted.where(*conditions)) or 0
    return paginate(statement, page, per_page, total=total)


def like_search(event: Event, search: OpportunitySearch) -> Page:
    """The naive search the index replaces (every word somewhere, LIKE '%word%', same filters); the benchmark's baseline."""
    statement = select(Opportunity.id).where(*_conditions(event, search))
    for word in search.text.split():
        pattern = like_pattern(word.lower())
        statement = statement.where(
            or_(
                *(
                    func.lower(column_).like(pattern, escape="\\")
                    for column_ in (
                        Opportunity.title,
                        Opportunity.summary,
                        Opportunity.description,
                        Opportunity.keywords,
                    )
                )
            )
        )
    order = (
        [func.lower(Opportunity.title), Opportunity.id]
        if search.sort == "title"
        else [Opportunity.id.desc()]
    )
    return _page_of_opportunities(
        statement.order_by(*order), statement, search.page, search.per_page
    )
