"""Domain errors. The CLI turns each into one line on stderr and exit status 2."""


class AnalyzerError(Exception):
    """Base class for errors that stop the analysis as a whole."""


class BundleError(AnalyzerError):
    """A bundle cannot be read at all (not an archive, truncated, unsafe)."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class UsageError(AnalyzerError):
    """The command line asks for something impossible."""
