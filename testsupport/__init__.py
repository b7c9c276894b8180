"""Helpers for tests and benchmarks only; not shipped (setuptools packages only `tongban*`).

Importable from tests because pytest puts the repository root (where conftest.py lives) on sys.path;
benchmarks put it there themselves.
"""
