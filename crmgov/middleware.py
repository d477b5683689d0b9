"""Site-wide response header policy."""

from django.utils.cache import patch_vary_headers


class PrivateCacheMiddleware:
    """What a signed-in person (or an API token) gets is theirs alone: a page, JSON, a CSV or a PDF
    without a cache policy of its own gets `Cache-Control: private, no-store` and `Vary: Cookie`, so
    neither a shared proxy nor the browser's disk cache keeps it after they sign out.

    A response that sets Cache-Control itself (a screenshot: private, a day) is left as it is;
    static files never get here (WhiteNoise answers them first).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Read after the view: DRF's token authentication sets request.user there.
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            if not response.has_header("Cache-Control"):
                response["Cache-Control"] = "private, no-store"
            patch_vary_headers(response, ("Cookie",))
        return response
