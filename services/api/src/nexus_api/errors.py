"""The API's failures, one class per HTTP outcome, rendered once as RFC 7807 problem bodies."""

from __future__ import annotations

from nexus_core.errors import NexusError


class ApiProblem(NexusError):
    """Base: a failure the caller can act on; `status` and `title` go into the problem body."""

    status = 500
    title = "Internal error"
    headers: dict[str, str]

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}

    @property
    def slug(self) -> str:
        return self.title.lower().replace(" ", "-")


class BadRequest(ApiProblem):
    """The parameters are valid in shape but not together (range, points cap)."""

    status = 400
    title = "Bad request"


class Unauthorized(ApiProblem):
    """No valid token."""

    status = 401
    title = "Unauthorized"


class Forbidden(ApiProblem):
    """A valid token without the group the route needs."""

    status = 403
    title = "Forbidden"


class NotFound(ApiProblem):
    """The series, week or report does not exist (yet)."""

    status = 404
    title = "Not found"


class Conflict(ApiProblem):
    """The action cannot run in the current state (no state machine configured)."""

    status = 409
    title = "Conflict"


class TooManyRequests(ApiProblem):
    """The per-user rate limit was exceeded; `Retry-After` says when to come back."""

    status = 429
    title = "Too many requests"
