"""The demo: the seed's regions, centres and channels, exactly 523 items, idempotent loading."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from tongban.catalog.models import Channel, Competence, Item, ItemVersion, Region, ServiceCentre
from tongban.demo.actions import do_load_demo


def test_demo_has_the_seed_figures(demo):
    assert Item.objects.count() == 523
    assert Item.objects.filter(item_class="高频便民事项").count() == 453
    assert Item.objects.filter(item_class="政务服务事项").count() == 70
    # every item has a competent department on both sides
    assert Competence.objects.filter(region__code="110112").count() == 523
    assert Competence.objects.filter(region__code="131000").count() == 523


def test_demo_regions_centres_and_channels(demo):
    langfang = Region.objects.get(code="131000")
    assert {r.name for r in langfang.children.all()} == {"三河市", "大厂回族自治县", "香河县", "廊坊临空经济区"}
    assert ServiceCentre.objects.count() == 6
    assert Channel.objects.filter(kind="window").count() == 6  # a 区域通办专窗 in every centre
    # terminals of each region stand in the other's halls
    for terminal in Channel.objects.filter(kind="terminal").select_related("region", "centre__region"):
        assert terminal.centre is not None
        centre_region = terminal.centre.region
        assert terminal.region not in (centre_region, centre_region.parent)
    assert Channel.objects.filter(kind="mobile").count() == 2
    assert Channel.objects.filter(kind="bank").count() == 2


def test_loading_twice_changes_nothing(demo):
    again = do_load_demo()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 523)
    assert ItemVersion.objects.count() == 523


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_command_prepares_sqlite_and_refuses_other_databases():
    if connection.vendor == "sqlite":
        call_command("demo", "--no-serve", stdout=StringIO())
        assert Item.objects.count() == 523
        assert get_user_model().objects.filter(username="admin", is_superuser=True).exists()
    else:
        with pytest.raises(CommandError, match="演示只在 SQLite 上运行"):
            call_command("demo", "--no-serve", stdout=StringIO())
        assert Item.objects.count() == 0


def test_demo_cases_cover_the_lifecycle(demo):
    from tongban.audit.actions import verify
    from tongban.cases.models import Case
    from tongban.demo.cases import do_load_demo_cases

    assert do_load_demo_cases() == 10
    states = set(Case.objects.values_list("state", flat=True))
    assert {"delivered", "in_review", "supplement", "accepted", "decided", "refused", "submitted"} <= states
    modes = set(Case.objects.values_list("mode", flat=True))
    assert modes == {"异地代收代办", "全程网办", "多地联办"}
    from tongban.ratings.models import Rating, Rectification

    assert Rating.objects.count() == 2 and Rectification.objects.count() == 1
    assert verify().ok
    assert do_load_demo_cases() == 0  # idempotent
