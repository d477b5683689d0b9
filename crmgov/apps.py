from django.apps import AppConfig


class CrmgovConfig(AppConfig):
    """The site itself: its system checks. The apps it composes are projects, issues, changes, closure."""

    name = "crmgov"
    verbose_name = "crmgov"

    def ready(self):
        from . import checks  # noqa: F401  (registers them)
