"""Operations: plain functions that take models and form data, flush (never commit), return results."""


class ServiceError(Exception):
    """A refusal with a message for the user; raised before anything is changed."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
