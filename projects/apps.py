from django.apps import AppConfig
from django.db.models import fields
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from crmgov.celery import TASK_PACKAGES
from crmgov.celery import app as celery_app
from projects.core.converters import register as register_project_code_converter


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        # Django 6.1's label of an empty choice ("- Select an option -") has no Chinese translation
        # in Django itself; declared here, it is in our catalogue and translated there.
        fields.BLANK_CHOICE_LABEL = _("- Select an option -")
        # Every installed app's `contributions.py` registers what it adds to `projects.registry`.
        autodiscover_modules("contributions")
        # Imported here: allauth's signal modules define models, which need the app registry loaded.
        from projects.core.security_log import connect as connect_security_log

        connect_security_log()
        # The tasks services enqueue by name, registered in this process as in the worker.
        celery_app.autodiscover_tasks(TASK_PACKAGES, force=True)
        register_project_code_converter()
