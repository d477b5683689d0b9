"""The project code in URLs (`/p/<code:code>/…`): registered once, from the app's ready()."""

from django.urls import register_converter


class ProjectCodeConverter:
    regex = "[A-Z][A-Z0-9]{1,11}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def register() -> None:
    register_converter(ProjectCodeConverter, "code")
