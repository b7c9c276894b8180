"""Text mining without Django: dispatch classifier, duplicate/hot-issue grouping, catalogue search scoring.

Nothing in this package imports Django (checked by tests/test_no_django.py), so it can be used from
benchmarks and scripts without settings, and its tests need no database.
"""
