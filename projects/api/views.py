"""The account page where a person lists, creates and revokes their personal API tokens."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.api import services as services_api
from projects.api.forms import TokenForm
from projects.api.models import ApiToken


@reauthentication_required(allow_get=True)
def api_tokens(request):
    """Creating a token asks for the password again if it was not entered in the last few minutes."""
    form = TokenForm(request.POST or None)
    secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _token, secret = services_api.api_token_create(user=request.user, **form.cleaned_data)
            form = TokenForm()
        else:
            status = 400
    tokens = list(ApiToken.objects.filter(user=request.user))
    roles = services_api.held_roles(request.user)
    for token in tokens:
        token.ended = token.revoked_at is None and not token.is_expired and not token.follows(request.user, roles)
    context = {"form": form, "tokens": tokens, "secret": secret}
    return render(request, "projects/api/api_tokens.html", context, status=status)


@require_POST
def api_token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services_api.api_token_revoke(token=token)
    messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
    return redirect("projects:api_tokens")
