"""The workshop's change counters (workshops/changes.py): every write path a board or a
phone shows bumps them, a rollback bumps nothing stale, the cache down breaks nothing."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from model_bakery import baker

from workshops import changes
from workshops.choices import Category, ModerationStatus
from workshops.models import Contribution, Theme
from workshops.services import bundles, moderation, participants, setup, zones
from workshops.services.imports import import_survey
from workshops.sources.kobo import guess_mapping, parse_survey
from workshops.tests.facilitator_factories import make_contribution

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


@contextmanager
def bumps(workshop, *, states=False):
    """The block changes the board counter (and the phones' one with ``states``)."""
    board, phone = changes.version(workshop.pk), changes.version(workshop.pk, changes.STATES)
    yield
    assert changes.version(workshop.pk) != board, "board counter not bumped"
    if states:
        assert changes.version(workshop.pk, changes.STATES) != phone, "states not bumped"


@contextmanager
def leaves_phones_alone(workshop):
    before = changes.version(workshop.pk, changes.STATES)
    yield
    assert changes.version(workshop.pk, changes.STATES) == before


@pytest.fixture
def item(workshop, session):
    return make_contribution(workshop, session, text="Land disputes between herders")


def test_a_phone_or_note_send_bumps_the_board_but_not_the_phones(workshop, session):
    with bumps(workshop), leaves_phones_alone(workshop):
        make_contribution(workshop, session)


def test_hiding_and_publishing_bump(workshop, item):
    with bumps(workshop):
        moderation.set_status(contributions=[item], status=ModerationStatus.HIDDEN)
    with bumps(workshop):
        moderation.set_status(contributions=[item], status=ModerationStatus.PUBLISHED)


def test_quotable_and_moderator_edit_bump(workshop, session):
    item = make_contribution(workshop, session, quotable=True)
    with bumps(workshop):
        moderation.edit_as_moderator(contribution=item, data={"text": "Land and water"})
    with bumps(workshop):
        moderation.set_quotable(contributions=[item], quotable=False)


def test_tagging_with_library_and_new_themes_bumps(workshop, item, theme):
    with bumps(workshop):
        moderation.tag_themes(workshop=workshop, contributions=[item], themes=[theme])
    with bumps(workshop):
        moderation.tag_themes(workshop=workshop, contributions=[item], new_theme="Water")


def test_a_merge_bumps(workshop, session, item):
    other = make_contribution(workshop, session, text="Herders and farmers fight over land")
    with bumps(workshop):
        moderation.merge_contributions(keep=item, duplicates=[other])


def test_accepting_suggestions_bumps(workshop, session, theme):
    for n in range(3):
        make_contribution(workshop, session, text=f"armed groups attack {n}", themes=[theme])
    untagged = make_contribution(workshop, session, text="armed groups attack the village")
    with bumps(workshop):
        moderation.accept_suggestions(
            workshop=workshop, contributions=[untagged], themes=Theme.objects.all()
        )


def test_a_participant_edit_and_withdrawal_bump(workshop, item):
    with bumps(workshop):
        participants.edit_contribution(contribution=item, text="Changed words", quotable=False)
    with bumps(workshop):
        participants.withdraw_contribution(contribution=item)
    assert not Contribution.objects.filter(pk=item.pk).exists()


def test_withdrawing_a_contribution_others_were_merged_into_bumps(workshop, session, item):
    other = make_contribution(workshop, session, text="The same, merged")
    moderation.merge_contributions(keep=item, duplicates=[other])
    with bumps(workshop):
        participants.withdraw_contribution(contribution=item)  # kept, hidden


def test_votes_bump_the_board(workshop, session, item, participant):
    session.status = "voting"
    session.save()
    with bumps(workshop), leaves_phones_alone(workshop):
        participants.cast_votes(participant=participant, session=session, contributions=[item])


@pytest.mark.parametrize("action", ["open_voting", "close_voting", "close", "open"])
def test_session_state_bumps_boards_and_phones(workshop, session, action):
    with bumps(workshop, states=True):
        setup.set_session_status(session=session, action=action)


def test_a_new_moved_or_deleted_session_bumps_phones(workshop, session):
    with bumps(workshop, states=True):
        second = baker.make("workshops.BreakoutSession", workshop=workshop, order=2)
    with bumps(workshop, states=True):
        setup.move_session(session=second, direction="up")
    with bumps(workshop, states=True):
        second.delete()


def test_the_workshop_saved_bumps_phones(workshop):
    with bumps(workshop, states=True):
        workshop.status = "closed"
        workshop.save()


def test_a_workshop_theme_renamed_bumps_and_a_library_theme_bumps_nothing(workshop, theme):
    own = moderation.new_workshop_theme(workshop=workshop, name="Water")
    with bumps(workshop):
        own.name = "Water points"
        own.save()
    theme.name = "Armed groups (library)"
    theme.save()  # no workshop: no counter, no error


def test_linking_themes_from_the_theme_side_bumps(workshop, item):
    own = moderation.new_workshop_theme(workshop=workshop, name="Water")
    with bumps(workshop):
        own.contributions.add(item)
    with bumps(workshop):
        item.themes.clear()


def test_a_survey_import_bumps(workshop):
    name = "kobo_survey.csv"
    survey = parse_survey((DATA / name).read_bytes(), name)
    with bumps(workshop):
        result = import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
    assert result.created


def test_regrouping_zones_bumps(workshop):
    with bumps(workshop):
        zones.restart_zones(workshop=workshop)


def test_a_bundle_import_bumps(workshop, session, item):
    data = bundles.export_bundle(workshop=workshop, passphrase="a long venue passphrase")
    item.delete()
    with bumps(workshop, states=True):
        bundles.import_bundle(data=data, passphrase="a long venue passphrase")


def _commit_bumps(workshop) -> int:
    return sum(
        isinstance(callback, changes._AfterCommit) and callback.workshop_id == workshop.pk
        for _sids, callback, _robust in connection.run_on_commit
    )


@pytest.mark.django_db(transaction=True)
def test_the_commit_bumps_again_so_a_read_before_it_is_read_again(workshop, session):
    with transaction.atomic():
        make_contribution(workshop, session)
        make_contribution(workshop, session, category=Category.STRENGTH)
        during = changes.version(workshop.pk)  # a board may read the old rows now
        assert _commit_bumps(workshop) == 1  # one for the two writes
    assert changes.version(workshop.pk) != during


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_no_pending_bump_behind(workshop, session):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_contribution(workshop, session)
        raise RuntimeError
    with transaction.atomic():
        make_contribution(workshop, session)
        during = changes.version(workshop.pk)
        assert _commit_bumps(workshop) == 1
    assert changes.version(workshop.pk) != during


def test_an_evicted_counter_never_comes_back_to_a_value_seen(workshop, session):
    seen = {changes.version(workshop.pk)}
    for _ in range(3):
        make_contribution(workshop, session)
        seen.add(changes.version(workshop.pk))
        cache.delete(changes.key(workshop.pk))
        now = changes.version(workshop.pk)
        assert now not in seen
        seen.add(now)


class _Down:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


@pytest.fixture
def cache_down(monkeypatch):
    monkeypatch.setattr(changes, "cache", _Down())


def test_with_the_cache_down_writes_go_on_and_versions_say_unknown(cache_down, workshop, session):
    make_contribution(workshop, session, text="Stored anyway")
    assert Contribution.objects.filter(text="Stored anyway").exists()
    assert changes.version(workshop.pk) is None
    assert changes.versions([workshop.pk]) == {workshop.pk: None}
