"""A C extension: building it needs a compiler, which the builder stage does not have."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("cext._speedups", ["_speedups.c"])])
