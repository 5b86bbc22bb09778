"""r2d-hello: a tiny package served by r2d's local test pip index."""

__version__ = "0.1.0"


def hello(name: str = "world") -> str:
    """Return a greeting that names this package's version."""
    return f"hello, {name} (r2d-hello {__version__})"
