"""Text search served from an index (issue 19): what a row's search column holds and how a query
matches it, the same on PostgreSQL (full text, a GIN index) and SQLite (a scan of the same column).

Chinese is written without spaces, so a text is indexed as its overlapping pairs of characters
("导出失败" → 导出 出失 失败) plus the last character of each run; English and numbers as lower-case
words. A query's terms must all be found: a pair of Chinese characters exactly, a single character
or a word as the start of an indexed one ("export" finds "exported"). That is what the issue list
searched before, with `icontains` on every pair — now answered from the index:

- PostgreSQL: `to_tsvector('simple', search_text) @@ to_tsquery('simple', '导出 & 出失 & export:*')`,
  over a GIN index on that expression (each app's migration creates it for its searchable tables).
  The 'simple' configuration neither stems nor drops words: the segmentation is ours, here.
- SQLite (development, tests): the same column, `LIKE '% 导出 %'` per term — a scan, small there.

Why pairs rather than jieba's words (`issues.text.terms`): a pair index finds every text a
substring search found, whatever a dictionary makes of the context ("报价单" and "报价" both hold
报价), costs no dictionary in the writers (a second of start-up in every process), and gives the
same segmentation to the query and to the text. Why not trigrams (pg_trgm): a trigram index cannot
answer a two-character query, and 导出, 报价, 商机 are how people search.
"""

import re
import unicodedata

from django.db import connection
from django.db.models import Q, QuerySet

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[a-z0-9]+")
MAX_TERMS = 8  # of a query: enough to narrow, bounded work per search


def _normal(text: str) -> str:
    """Lower case, full-width letters and digits (ＰＤＦ, ０１４７) as their ASCII forms."""
    return unicodedata.normalize("NFKC", text or "").lower()


def document(*texts: str) -> str:
    """What a row's `search_text` column holds for its `texts`: each indexed term once, separated
    and surrounded by spaces (so that a term or a term's start can be found with LIKE, too)."""
    terms: dict[str, None] = {}
    for text in texts:
        normal = _normal(text)
        for word in WORD.findall(normal):
            if len(word) > 1:
                terms[word] = None
        for run in CJK.findall(normal):
            for i in range(len(run) - 1):
                terms[run[i : i + 2]] = None
            terms[run[-1]] = None  # with the pairs' first characters, every character starts a term
    return f" {' '.join(terms)} " if terms else ""


def query_terms(text: str) -> list[tuple[str, bool]]:
    """The terms of a query as (term, is_prefix): a Chinese pair must be found exactly; a single
    Chinese character or a word (two letters or digits at least) as the start of a term."""
    normal = _normal(text)
    terms = [(word, True) for word in WORD.findall(normal) if len(word) > 1]
    for run in CJK.findall(normal):
        terms.extend([(run, True)] if len(run) == 1 else [(run[i : i + 2], False) for i in range(len(run) - 1)])
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def tsquery(terms: list[tuple[str, bool]]) -> str:
    """The terms as a raw tsquery, all required. Terms hold letters, digits and CJK characters
    only (the patterns above), so quoting them is enough."""
    return " & ".join(f"'{term}'" + (":*" if prefix else "") for term, prefix in terms)


def matching(queryset: QuerySet, text: str, field: str = "search_text") -> QuerySet:
    """The rows of `queryset` whose `field` holds every term of `text` (all of them when it has
    none: nothing to narrow by)."""
    terms = query_terms(text)
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        # Imported here: django.contrib.postgres needs psycopg, which a SQLite setup may lack.
        from django.contrib.postgres.search import SearchQuery

        return queryset.alias(_searched=vector(field)).filter(
            _searched=SearchQuery(tsquery(terms), search_type="raw", config="simple")
        )
    for term, prefix in terms:
        queryset = queryset.filter(**{f"{field}__contains": f" {term}" if prefix else f" {term} "})
    return queryset


def containing(queryset: QuerySet, text: str, fields: tuple[str, ...]) -> QuerySet:
    """For kinds a project has tens or hundreds of (change requests, meetings, risks): every term
    of `text` found in one of `fields` by `icontains` — a scan of one project's rows of that kind,
    bounded by their number, not by the project's issues. Finds what `matching` finds, and words
    inside words too."""
    for term, _prefix in query_terms(text):
        found = Q()
        for name in fields:
            found |= Q(**{f"{name}__icontains": term})
        queryset = queryset.filter(found)
    return queryset


def vector(field: str = "search_text"):
    """The indexed expression (PostgreSQL): the migrations' GIN indexes are built on exactly this."""
    from django.contrib.postgres.search import SearchVector  # see `matching`

    return SearchVector(field, config="simple")
