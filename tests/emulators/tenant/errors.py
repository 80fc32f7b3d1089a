"""Errors of the emulated tenant, raised by the state model and rendered by the HTTP layer."""


class GraphError(Exception):
    """A Microsoft Graph error: HTTP status, Graph `code` and `message` (rendered as Graph's error body)."""

    def __init__(self, status, code, message, headers=None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def not_found(key):
    return GraphError(404, "Request_ResourceNotFound",
                      f"Resource '{key}' does not exist or one of its queried reference-property objects are not "
                      "present.")


def bad_request(message):
    return GraphError(400, "Request_BadRequest", message)


def conflict(message):
    return GraphError(409, "Request_MultipleObjectsWithSameKeyValue", message)


def denied():
    return GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")


class TokenError(Exception):
    """An error of the Entra token endpoint: OAuth2 `error`, AADSTS number and description, HTTP status."""

    def __init__(self, status, error, aadsts, description, headers=None):
        super().__init__(f"{error}: AADSTS{aadsts}: {description}")
        self.status = status
        self.error = error
        self.aadsts = aadsts
        self.description = description
        self.headers = dict(headers or {})
