"""A C extension that needs libzbar's headers, which no dependency names: the compiler a
failed unlocked install brings is not enough."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("cext._speedups", ["_speedups.c"])])
