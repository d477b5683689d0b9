"""Text search served from an index (issue 19): what a row's search column holds and how a query
matches it, the same on PostgreSQL (full text, a GIN index) and SQLite (a scan of the same column).

Chinese is written without spaces, so a text is indexed as its characters and its overlapping pairs
of characters ("导出失败" → 导 导出 出 出失 失 失败 败); English and numbers as lower-case words and
the starts of words ("export" → ex exp expo expor export). A query's terms must all be found, each
as it is: a Chinese pair or character, a word (which finds the words it starts: "export" finds
"exported"). That is what the issue list searched before with `icontains` on every pair — now
answered from an index, and every term a plain lexeme, so PostgreSQL's statistics on the column
know how often each is found (a prefix query `export:*` it can only guess, and a wrong guess made
it read a 40,000-issue project to find nothing).

Each term is marked with its row's project ("12.导出"): a project's search reads the entries of its
own rows only, so a search in a project of 400 issues costs what 400 issues cost, however many
other projects' issues share the table, and the statistics are the project's own.

- PostgreSQL: the column is a `tsvector` of exactly these terms, searched with
  `search_text @@ '12.导出 & 12.出失'::tsquery` over a GIN index (each app's migration creates
  it). Neither side goes through PostgreSQL's parser or dictionaries: the segmentation is ours,
  here, the same whatever the database's locale; a stored column is not recomputed per row.
- SQLite (development, tests): the same column, `LIKE '% 12.导出 %'` per term — a scan, small there.

Why pairs rather than jieba's words (`issues.text.terms`): a pair index finds every text a
substring search found, whatever a dictionary makes of the context ("报价单" and "报价" both hold
报价), costs no dictionary in the writers (a second of start-up in every process), and gives the
same segmentation to the query and to the text. Why not trigrams (pg_trgm): a trigram index cannot
answer a two-character query, and 导出, 报价, 商机 are how people search.
"""

import re
import unicodedata

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, TextField, Value

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[a-z0-9]+")
MAX_TERMS = 8  # of a query: enough to narrow, bounded work per search
LONGEST = 16  # letters of a word that count: its start (prefixes indexed up to this length)


def _normal(text: str) -> str:
    """Lower case, full-width letters and digits (ＰＤＦ, ０１４７) as their ASCII forms."""
    return unicodedata.normalize("NFKC", text or "").lower()


def document(scope: int, *texts: str) -> str:
    """What a row's search column holds for its `texts`: each indexed term once, marked with the
    row's `scope` (its project), separated and surrounded by spaces (so LIKE finds a term, too)."""
    terms: dict[str, None] = {}
    for text in texts:
        normal = _normal(text)
        for word in WORD.findall(normal):
            for end in range(2, min(len(word), LONGEST) + 1):
                terms[word[:end]] = None
        for run in CJK.findall(normal):
            for i, character in enumerate(run):
                terms[character] = None
                if i + 1 < len(run):
                    terms[run[i : i + 2]] = None
    return f" {' '.join(f'{scope}.{term}' for term in terms)} " if terms else ""


def query_terms(text: str) -> list[str]:
    """The terms of a query, each to be found as it is: its words (two letters or digits at least,
    their first LONGEST), its Chinese pairs of characters, or a lone Chinese character."""
    normal = _normal(text)
    terms = [word[:LONGEST] for word in WORD.findall(normal) if len(word) > 1]
    for run in CJK.findall(normal):
        terms.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def tsquery(scope: int, terms: list[str]) -> str:
    """The terms as a tsquery literal, all required. Terms hold letters, digits and CJK characters
    only (the patterns above), so quoting them is enough."""
    return " & ".join(f"'{scope}.{term}'" for term in terms)


def matching(queryset: QuerySet, text: str, scope: int, field: str = "search_text") -> QuerySet:
    """The rows of `queryset` (of project `scope`) whose search column `field` holds every term of
    `text` (all of them when it has none: nothing to narrow by)."""
    terms = query_terms(text)
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        return queryset.filter(_Matches(F(field), _TsQuery(Value(tsquery(scope, terms)))))
    for term in terms:
        queryset = queryset.filter(**{f"{field}__contains": f" {scope}.{term} "})
    return queryset


class _TsQuery(Func):
    """A tsquery literal, taken as written: not parsed into words again (to_tsquery would, with the
    database's parser and locale), as the column's terms are not."""

    template = "(%(expressions)s)::tsquery"
    output_field = TextField()


class _Matches(Func):
    """`column @@ query`: answered by the column's GIN index."""

    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()


def containing(queryset: QuerySet, text: str, fields: tuple[str, ...]) -> QuerySet:
    """For kinds a project has tens or hundreds of (change requests, meetings, risks): every term
    of `text` found in one of `fields` by `icontains` — a scan of one project's rows of that kind,
    bounded by their number, not by the project's issues. Finds what `matching` finds, and words
    inside words too."""
    for term in query_terms(text):
        found = Q()
        for name in fields:
            found |= Q(**{f"{name}__icontains": term})
        queryset = queryset.filter(found)
    return queryset
