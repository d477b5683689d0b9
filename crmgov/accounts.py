"""The site's allauth adapter: failed logins throttled per account *and* address together."""

from allauth.core.internal.ratelimit import get_ip

from projects.accounts import AccountAdapter as ProjectsAccountAdapter


class AccountAdapter(ProjectsAccountAdapter):
    """allauth keys its per-account failed-login limit ("5/5m/key") by the e-mail alone, so a
    stranger anywhere could lock a person out with five wrong passwords. Adding the client's address
    to that key limits guessing per (address, account); the person's own address is unaffected.
    ACCOUNT_RATE_LIMITS keeps a looser per-address limit on top."""

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}@{get_ip(request)}"
