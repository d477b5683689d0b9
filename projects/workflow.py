"""What the issue and change-request workflows share: the steps a member may take on an object,
and taking one. Each app declares its steps (label, who, from which states, form, service); a step
needs `allowed(membership, obj)`, `make_form(obj, data)`, `run(obj, user, cleaned_data)`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def step_forms(steps: dict, membership, obj, failed_step=None, failed_form=None) -> dict:
    """{name: form or None} for every step this member may take now; a refused form keeps its input."""
    return {
        name: (failed_form if name == failed_step else step.make_form(obj, None))
        for name, step in steps.items()
        if step.allowed(membership, obj)
    }


def take_step(request, *, steps: dict, name: str, membership, obj, rerender):
    """Validate and run one step; on refusal `rerender(failed_step, form)` shows the page with the error."""
    step = steps.get(name)
    if step is None:
        raise Http404
    if not step.allowed(membership, obj):
        raise PermissionDenied
    form = step.make_form(obj, request.POST)
    if form is not None and not form.is_valid():
        return rerender(name, form)
    try:
        step.run(obj, request.user, form.cleaned_data if form is not None else {})
    except ValidationError as error:
        if form is None:
            messages.error(request, " ".join(error.messages))
            return redirect(obj)
        form.add_error(None, error)
        return rerender(name, form)
    messages.success(request, _("%(ref)s: done.") % {"ref": obj.reference})
    return redirect(obj)
