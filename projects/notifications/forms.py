from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from projects.notifications.models import ChatEvent, ChatWebhook


class ChatWebhookForm(forms.Form):
    """Adding or changing a webhook. The address and the secret are never shown back: left empty
    on a change, they stay as they are."""

    name = forms.CharField(
        label=pgettext_lazy("chat webhook", "Name"),
        max_length=100,
        help_text=_("Which group or system this is, e.g. 项目群."),
    )
    platform = forms.ChoiceField(label=_("Platform"), choices=ChatWebhook.Platform.choices)
    url = forms.URLField(
        label=_("Webhook address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The robot's address as the platform shows it, including its key or token."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("DingTalk 加签 (SEC…), Feishu signature verification, or the secret of a generic webhook."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=ChatEvent.choices, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label=pgettext_lazy("chat webhook", "Active"), required=False, initial=True)

    def __init__(self, *args, webhook: ChatWebhook | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if webhook is not None:
            keep = _("Leave empty to keep the current one (%(hint)s).")
            self.fields["url"].required = False
            self.fields["url"].help_text = keep % {"hint": webhook.masked_url}
            if webhook.secret:
                self.fields["secret"].help_text = keep % {"hint": "••••" + webhook.secret[-2:]}
