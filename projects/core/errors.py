"""The page for an unexpected failure: 503 while the database is unreachable, 500 otherwise."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.defaults import server_error as plain_server_error

# Long enough for a database restart or fail-over; a browser or proxy may retry after it.
RETRY_AFTER_SECONDS = 30


def server_error(request):
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        # Rendered without the request: nothing that needs the database (user, session).
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return plain_server_error(request)
