"""Templates sit beside the code that renders them (issue 20), named by their package's path."""

from pathlib import Path

from django.template.loader import get_template

ROOT = Path(__file__).resolve().parents[2]
SITE_WIDE = {"account", "allauth", "drf_spectacular", "emails", "includes"}


def test_the_site_templates_folder_holds_only_site_wide_templates():
    folders = {path.name for path in (ROOT / "templates").iterdir() if path.is_dir()}
    assert folders <= SITE_WIDE, f"move {sorted(folders - SITE_WIDE)} beside the app or feature that renders it"


def test_a_features_templates_are_named_by_its_package_path():
    for folder in sorted(ROOT.glob("projects/*/templates")):
        feature = folder.parent.name
        for template in folder.rglob("*.html"):
            name = template.relative_to(folder).as_posix()
            assert name.startswith(f"projects/{feature}/"), f"{template} should be named projects/{feature}/…"
            assert Path(get_template(name).origin.name) == template


def test_an_apps_templates_are_in_its_own_folder():
    for app in ("issues", "changes", "closure"):
        for template in (ROOT / app / "templates").rglob("*.html"):
            assert template.relative_to(ROOT / app / "templates").parts[0] == app
