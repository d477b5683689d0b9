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
