"""r2d-greet: depends on r2d-hello, so installing it exercises resolution."""

from r2d_hello import __version__ as hello_version
from r2d_hello import hello

__version__ = "1.0.0"


def greet(name: str = "world") -> str:
    """Return r2d-hello's greeting, wrapped by r2d-greet."""
    return f"r2d-greet {__version__}: {hello(name)}"


__all__ = ["greet", "hello_version", "__version__"]
