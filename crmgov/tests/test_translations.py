import re
from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_the_chinese_catalogue_is_complete():
    catalogue = polib.pofile(str(CATALOGUE))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_an_empty_choice_reads_in_chinese():
    """Django 6.1 labels the empty choice of every optional select; its own catalogue lacks Chinese."""
    from django.utils import translation

    from issues.models import Issue
    from projects.steering.models import AgendaItem

    category = Issue._meta.get_field("category").formfield()
    presenter = AgendaItem._meta.get_field("presenter").formfield()
    with translation.override("zh-hans"):
        assert str(category.choices[0][1]) == "- 请选择 -"
        assert str(presenter.empty_label) == "- 请选择 -"
    with translation.override("en"):
        assert str(category.choices[0][1]) == "- Select an option -"


# One English word, two Chinese ones. These msgids have more than one sense in crmgov — a state
# (“Closed” 已关闭) and a time (“closed” 关闭时间), a person's name (姓名) and a thing's name (名称),
# a delivery that failed (发送失败) and a pilot that failed (未通过), a day off (休息) and a switch
# that is off (已停用) — so each use says which sense it means with a context. Words that read the
# same in Chinese wherever they appear (“Status” 状态, “Date” 日期, “Owner” 负责人) are not listed:
# a context there would only add catalogue entries. Add a word here when it first gets a second sense.
AMBIGUOUS = {
    "Name", "name", "Failed", "Open", "open", "Closed", "closed", "Resolved", "resolved",
    "Sent", "sent", "Done", "New", "Draft", "Pending", "Approved", "Active", "active", "Queued",
    "Completed", "completed", "signed", "Signed", "Reported", "Day", "off", "Review",
}  # fmt: skip
ROOT = CATALOGUE.parents[3]
SOURCES = ("changes", "closure", "crmgov", "issues", "projects", "templates")


def source_files(*suffixes):
    for top in SOURCES:
        for path in (ROOT / top).rglob("*"):
            if path.suffix in suffixes and "tests" not in path.parts and "migrations" not in path.parts:
                yield path


def test_an_ambiguous_word_is_never_in_the_catalogue_without_a_context():
    catalogue = polib.pofile(str(CATALOGUE))
    bare = sorted(entry.msgid for entry in catalogue if entry.msgid in AMBIGUOUS and not entry.msgctxt)
    assert not bare, f"give these a msgctxt (and the code a pgettext / context): {bare}"


def test_an_ambiguous_word_is_never_translated_without_a_context_in_the_code():
    """The catalogue is kept by hand: a bare `_("Name")` in the code would find no entry at all."""
    words = "|".join(sorted(AMBIGUOUS))
    in_python = re.compile(r"\b(?:_|gettext|gettext_lazy|gettext_noop)\(\s*[\"'](" + words + r")[\"']\s*[,)]")
    in_template = re.compile(
        r"{%\s*(?:translate|trans)\s+[\"'](" + words + r")[\"']\s*(?:noop\s*)?(?:as\s+\w+\s*)?%}"
        r"|{%\s*blocktrans(?:late)?(?:\s+trimmed)?\s*%}\s*(" + words + r")\s*{%"
    )
    found = []
    for path in source_files(".py", ".html", ".txt"):
        pattern = in_python if path.suffix == ".py" else in_template
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not found, "\n".join(found)


HAN = r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]"
# A Chinese character right before an ASCII ':' or '(' or right after ')'. A placeholder (%(name)s),
# a time (09:00) or a URL is not text, so it is taken out first.
NOT_TEXT = re.compile(r"%\([a-z_]+\)[sdf]|\{\{[^}]*\}\}|\{[a-z_]*\}|https?://\S+|\d{1,2}:\d{2}")
ASCII_PUNCTUATION = re.compile(HAN + r"[:(]|\)" + HAN + "|" + HAN + r" [:(]")


def test_chinese_text_uses_full_width_colons_and_brackets():
    catalogue = polib.pofile(str(CATALOGUE))
    wrong = []
    for entry in catalogue:
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if ASCII_PUNCTUATION.search(NOT_TEXT.sub("", text)):
                wrong.append(f"{entry.msgid!r} → {text!r}")
    assert not wrong, "\n".join(wrong)


def test_no_template_puts_ascii_colons_or_brackets_around_translated_text():
    """“原因说明: …”, “(预测)” — the punctuation belongs in the translated string (“Reason:” →
    “原因说明：”, “(forecast)” → “（预测）”)."""
    after_translation = re.compile(
        r"{%\s*(?:translate|trans)\s[^%]*%}(?:</\w+>)?[:)]|{%\s*endblocktrans(?:late)?\s*%}[:)]"
        r"|\((?={%\s*(?:translate|trans|blocktrans))"
    )
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in source_files(".html", ".txt")
        for match in after_translation.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, "\n".join(found)
