"""Errors the auditor raises on purpose. Their messages are for people, in Chinese."""


class AuditorError(Exception):
    """Base of every error the auditor raises on purpose; its message is for people (Chinese)."""


class DocumentLoadError(AuditorError):
    """A file could not be read as a document."""


class UnknownFormError(AuditorError):
    """A document was read but holds no recognised form."""


class LLMError(AuditorError):
    """The language model could not give a usable answer."""
