"""The app's models live in its feature subpackages; Django loads an app's models from this module,
so each subpackage's models module is imported here (the app label stays `projects`)."""

from projects.api import models as api_models
from projects.core import models as core_models
from projects.escalations import models as escalations_models
from projects.notifications import models as notifications_models
from projects.plan import models as plan_models
from projects.registers import models as registers_models
from projects.reporting import models as reporting_models
from projects.steering import models as steering_models

MODULES = (
    core_models,
    notifications_models,
    plan_models,
    registers_models,
    steering_models,
    escalations_models,
    reporting_models,
    api_models,
)
