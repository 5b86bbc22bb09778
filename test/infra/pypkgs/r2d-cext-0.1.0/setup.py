# A C extension served as an sdist only: pip must compile it, so an image that installs it needs
# a C compiler at build time (r2d's builder stage) and none at run time.
from setuptools import Extension, setup

setup(
    name="r2d-cext",
    version="0.1.0",
    description="Tiny C extension for r2d integration tests (local pip index, sdist only).",
    python_requires=">=3.8",
    ext_modules=[Extension("r2d_cext", ["src/r2d_cext.c"])],
)
