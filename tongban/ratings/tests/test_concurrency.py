"""Real races between two connections: one rectification step, one rating — each applied exactly once."""

import datetime
import threading

import pytest
from django.db import connection, connections

from tongban.audit.actions import verify
from tongban.core.errors import Conflict
from tongban.ratings.actions import do_appeal, do_rate, do_verify
from tongban.ratings.models import Rating, Rectification

D = datetime.date

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite test databases are in memory in shared-cache mode, where a second writer fails at once instead "
           "of waiting; on SQLite the compare-and-set is covered by test_rectification.py::test_a_stale_screen",
)


@pytest.fixture
def committed(audit_transactional_db):
    """Real commits (the root conftest's `transactional_db` puts the seeded calendar back first)."""


def race(*calls):
    """Run the calls at the same moment, each on its own connection; their results or exceptions."""
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            start.wait(timeout=10)
            results[i] = call()
        except BaseException as exc:  # reported to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_administrators_at_once_one_step_wins(committed, people, walk_in_case, on_day):
    on_day(D(2026, 9, 30))
    rect = do_rate(people["sanhe_window"], walk_in_case, level=1).rectification
    first, second = Rectification.objects.get(pk=rect.pk), Rectification.objects.get(pk=rect.pk)
    results = race(lambda: do_verify(people["lf_admin"], first, "属实"),
                   lambda: do_appeal(people["lf_admin"], second, "不属于本窗口"))
    winners = [r for r in results if isinstance(r, Rectification)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1 and losers[0].code == "rectification.conflict", results
    after = Rectification.objects.get(pk=rect.pk)
    assert (after.state, after.version) == (winners[0].state, 2)
    assert bool(after.verified_finding) != bool(after.appeal_reason)  # exactly one of the two applied
    assert verify().ok


def test_two_ratings_of_one_case_at_once_one_is_kept(committed, people, online_case, on_day):
    results = race(lambda: do_rate(people["citizen"], online_case, level=5),
                   lambda: do_rate(people["citizen"], online_case, level=1))
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Rating"], results
    assert [r.code for r in results if isinstance(r, Conflict)] == ["rating.already_rated"]
    kept = Rating.objects.get()
    assert Rectification.objects.exists() == (kept.level == 1)
    assert verify().ok


def test_one_link_submitted_twice_at_once_rates_once(committed, walk_in_case):
    from tongban.ratings.invite import RatingInput, check_invitation, do_rate_by_link
    from tongban.ratings.models import RatingInvitation

    token = RatingInvitation.objects.get(case=walk_in_case).token
    first, second = check_invitation(token), check_invitation(token)  # two tabs, both opened unused
    results = race(lambda: do_rate_by_link(first, window=RatingInput(level=5), department=RatingInput(level=5)),
                   lambda: do_rate_by_link(second, window=RatingInput(level=1, reason="attitude"),
                                           department=RatingInput(level=1, reason="late")))
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len([r for r in results if isinstance(r, list)]) == 1 and len(losers) == 1, results
    assert losers[0].code in ("rating.link_used", "rating.already_rated")
    levels = set(Rating.objects.filter(case=walk_in_case).values_list("level", flat=True))
    assert Rating.objects.filter(case=walk_in_case).count() == 2 and len(levels) == 1  # one submission, whole
    assert Rectification.objects.count() == (2 if levels == {1} else 0)
    assert verify().ok
