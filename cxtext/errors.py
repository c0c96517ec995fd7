"""One exception tree for cxtext.

Every error the library raises on purpose derives from :class:`CxTextError`, so a
caller (the CLI, the API) can catch the whole family in one place and map it to an
exit code or an HTTP status.
"""

from __future__ import annotations

from sklearn.exceptions import NotFittedError as SklearnNotFittedError


class CxTextError(Exception):
    """Base of every error raised by cxtext on purpose."""


class ConfigError(CxTextError):
    """A configuration file or option is missing, malformed or contradictory."""


class DataValidationError(CxTextError):
    """Input data breaks the canonical contract.

    Parameters
    ----------
    message
        What is wrong, in words a user can act on.
    file, row, column
        Where it is wrong, when known. ``row`` is 1-based and counts data rows
        (the header is not a row).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        where = ", ".join(
            part
            for part in (
                f"file {file}" if file else "",
                f"row {row}" if row is not None else "",
                f"column {column!r}" if column else "",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)


class UnsupportedFormatError(DataValidationError):
    """The input file's format or encoding cannot be read."""


class ArtifactError(CxTextError):
    """A model bundle, encoder folder or cache entry is missing, corrupt or incompatible."""


class BundleVersionError(ArtifactError):
    """A model bundle was written with a newer bundle schema than this cxtext reads."""


class EncoderError(ArtifactError):
    """The sentence encoder could not be built, verified or loaded."""


class NotFittedError(CxTextError, SklearnNotFittedError):
    """An estimator was used before ``fit``; also scikit-learn's ``NotFittedError``, so
    code written for scikit-learn estimators catches it."""
