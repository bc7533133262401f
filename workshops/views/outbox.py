"""The request protocol of ``static/js/outbox.js``, the one offline queue of the pages.

The outbox posts the page's form as it is (urlencoded, with its CSRF token) and marks
the request with ``X-Requested-With: outbox``. A view that sees the mark answers for a
script: a fragment (participants) or JSON (quick capture) with a status code the
outbox acts on, instead of a redirect. See the module's header for the codes.
"""

from django.http import HttpRequest

HEADER = "X-Requested-With"
VALUE = "outbox"


def sent_by_outbox(request: HttpRequest) -> bool:
    return request.headers.get(HEADER) == VALUE
