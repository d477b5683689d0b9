"""Words of a title or text, for matching and (later) for a search index.

Chinese is written without spaces: jieba cuts it into words with its default dictionary, plus the
CRM words below that the dictionary lacks (without them "赢单后" is cut 赢 / 单后 and "时报错" 时报 / 错).
English and numbers are lower-cased words. Stop words and single characters are dropped: they are
in nearly every title and match nothing in particular.

The dictionary is loaded once per process, on first use (about a second; its cache file is written
under settings.VAR_DIR, which the app writes to anyway, never to a shared /tmp).
"""

import functools
import logging
import math
import os
import re
import tempfile
import threading
import unicodedata
from dataclasses import dataclass

from django.conf import settings

# Words of CRM work that jieba's default dictionary does not hold as one word.
DOMAIN_WORDS = (
    "赢单",
    "输单",
    "商机",
    "线索",
    "公海",
    "查重",
    "报价单",
    "回款",
    "拜访",
    "签到",
    "工单",
    "仪表盘",
    "审批流",
    "报错",
    "乱码",
    "导入",
    "导出",
    "下拉框",
    "必填",
    "企业微信",
    "钉钉",
    "漏斗",
    "看板",
    "卡顿",
    "闪退",
    "白屏",
    "同步",
    "重名",
    "负责人",
    "跟进",
    "联系人",
    "附件",
    "收到",
)

# As frequent as everyday words in the dictionary: "时报错" is then cut 时 / 报错, not 时报 (newspaper) / 错.
DOMAIN_WORD_FREQ = 2000

# Words found in titles about anything: fillers, function words, generic complaints.
_STOP_WORDS = """
    了 的 得 地 着 过 吗 呢 吧 啊 呀 么 和 与 及 或 在 是 也 都 就 还 又 再 很 太 有 无 不 没 被 把 给 对 从 向 到
    时 后 前 中 里 上 下 个 这 那 我 你 他 她 它 请 让 用 能 会 要 该
    无法 不能 不可 不了 不会 不到 没法 没有 不是 是否 可以 能否 出现 发生 一直 总是 老是 突然 有时 有时候 经常
    怎么 怎么办 怎样 如何 什么 为什么 为何 哪里 请问 帮忙 麻烦 一下 一个 一些 还是 已经 但是 然后 而且 并且
    因为 所以 如果 很大 很多 太大 非常 特别 时候 之后 以后 之前 以前 的时候 这个 那个 这些 那些 我们 你们
    他们 自己 进行 问题 情况 现在 目前 需要 变成 有误 不对 不全 不准 不上 上去 对不上 改不了 反应 没反应
    the a an to of in on at for from by with and or but not no is are was were be been can cannot cant could
    does doesn doesnt don dont didn didnt when while after before it its this that my our we you i me
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

PUNCTUATION = re.compile(r"^[\W_]+$")
REFERENCE_DIGITS = re.compile(r"^\d+$")

_lock = threading.Lock()
_loaded = []  # the tokenizer, once built


def _cache_dir() -> str:
    directory = str(settings.VAR_DIR)
    return directory if os.access(directory, os.W_OK) else tempfile.gettempdir()


def _tokenizer():
    """jieba's tokenizer with the default dictionary and the domain words: built once per process,
    by the first thread that needs it."""
    if _loaded:
        return _loaded[0]
    with _lock:
        if not _loaded:
            import jieba  # slow to import (its dictionary module); only pages that suggest or search need it

            jieba.setLogLevel(logging.WARNING)  # it otherwise logs its loading to stderr
            tokenizer = jieba.Tokenizer()
            tokenizer.tmp_dir = _cache_dir()
            tokenizer.cache_file = "jieba.cache"
            tokenizer.initialize()
            for word in DOMAIN_WORDS:
                tokenizer.add_word(word, max(tokenizer.FREQ.get(word) or 0, DOMAIN_WORD_FREQ))
            _loaded.append(tokenizer)
    return _loaded[0]


def _normal(text: str) -> str:
    """Full-width letters and digits (ＰＤＦ, ０１４７) as their ASCII forms."""
    return unicodedata.normalize("NFKC", text or "")


def _keep(token: str) -> bool:
    return len(token) > 1 and not PUNCTUATION.match(token) and token not in STOP_WORDS


@functools.lru_cache(maxsize=4096)  # titles recur: the same candidates come back keystroke after keystroke
def _cut(text: str, for_search: bool) -> tuple[str, ...]:
    tokenizer = _tokenizer()
    tokens = (tokenizer.cut_for_search if for_search else tokenizer.cut)(_normal(text))
    return tuple(dict.fromkeys(token for token in (t.strip().lower() for t in tokens) if _keep(token)))


def terms(text: str) -> list[str]:
    """The meaningful terms of a text, each once, in order: its words and, of a long word, the words
    inside it too ("报价单" → 报价, 价单, 报价单) — what a search index holds, and what a query is
    matched against."""
    return list(_cut(text, True))


def words(text: str) -> list[str]:
    """The meaningful words of a text as written (no words inside words), each once, in order."""
    return list(_cut(text, False))


def idf(titles: int, containing: int) -> float:
    """How telling a word is among `titles` titles, `containing` of which contain it (BM25's
    inverse document frequency: a word in every title weighs little, never below zero)."""
    return math.log(1 + (titles - containing + 0.5) / (containing + 0.5))


@dataclass
class Match:
    share: float  # of the new title's words (by weight) found in the candidate's title
    shared: int  # words of the new title found there, wholly or in part
    coverage: float  # of the candidate title's words found in the new title: breaks ties


def match(query: dict[str, float], title: str) -> Match:
    """How much of the new title — its words with their weights — a candidate title holds. A word
    found only in part ("报价单" where the candidate has "报价") counts for the part's length."""
    found = set(terms(title))
    total = sum(query.values()) or 1.0
    share, shared = 0.0, 0
    for word, weight in query.items():
        part = 1.0 if word in found else max((len(t) / len(word) for t in terms(word) if t in found), default=0.0)
        share += weight * part
        shared += part > 0
    own = words(title)
    asked = set(query) | {t for word in query for t in terms(word)}
    coverage = sum(word in asked for word in own) / len(own) if own else 0.0
    return Match(share / total, shared, coverage)
