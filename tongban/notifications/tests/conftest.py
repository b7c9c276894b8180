"""Notifications tests: a node of its own (the 办结 SMS signs a result), the case and hotline fixtures."""

import pytest

from testsupport.verification import isolated_node  # noqa: F401
from tongban.cases.tests.conftest import people, rsj_item  # noqa: F401
from tongban.hotline.tests.conftest import clock, hl  # noqa: F401


@pytest.fixture(autouse=True)
def _own_node(isolated_node):  # noqa: F811
    return isolated_node
