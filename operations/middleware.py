"""A request id for every request: in the response header, in every log line, and on the error pages."""

import contextvars
import logging
import re
import uuid

_current_request_id = contextvars.ContextVar("request_id", default="-")
# Accept a load balancer's id only if it looks like one; anything else is replaced, never echoed.
_VALID_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = _current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _current_request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record):
        record.request_id = _current_request_id.get()
        return True
