"""Every admin page renders for a superuser: changelist, add, change (and history)."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from model_bakery import baker
from rest_framework.authtoken.models import Token

from workshops.choices import Audience, Category, Source
from workshops.models import (
    BreakoutSession,
    Contribution,
    ExportAuditLog,
    Organisation,
    Participant,
    SurveyMapping,
    Theme,
    Vote,
)
from workshops.services.contributions import submit_contribution

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", password="not-used-here")


@pytest.fixture
def one_of_each(workshop, session, participant, organiser, organisation, superuser):
    """At least one row of every registered model, made the way the app makes them."""
    theme = Theme.objects.create(slug="armed-groups", name="Armed groups", name_fr="Groupes armés")
    recommendation = submit_contribution(
        workshop=workshop,
        session=session,
        client_id="admin-1",
        text="Créer des emplois pour les jeunes.",
        category=Category.RECOMMENDATION,
        audience=Audience.NATIONAL,
        source=Source.PHONE,
        author=participant,
        themes=[theme],
    ).contribution
    Vote.objects.create(participant=participant, contribution=recommendation)
    organisation.memberships.create(user=organiser, role="viewer")
    Token.objects.create(user=superuser)
    ExportAuditLog.record(
        workshop=workshop, user=organiser, kind="csv_rows", purpose="Checking the notes"
    )
    for model in REGISTERED:
        if not model._default_manager.exists():
            baker.make(model)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_admin_pages_render_for_a_superuser(client, superuser, one_of_each, model):
    client.force_login(superuser)
    info = (model._meta.app_label, model._meta.model_name)
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = superuser

    changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
    assert changelist.status_code == 200
    searched = client.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "a"})
    assert searched.status_code == 200

    add = client.get(reverse("admin:{}_{}_add".format(*info)))
    assert add.status_code == (200 if model_admin.has_add_permission(request) else 403)

    obj = model._default_manager.first()
    change = client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    assert change.status_code == 200
    history = client.get(reverse("admin:{}_{}_history".format(*info), args=[obj.pk]))
    assert history.status_code == 200


def test_contribution_admin_keeps_the_edit_history(client, superuser, one_of_each):
    client.force_login(superuser)
    contribution = Contribution.objects.get(client_id="admin-1")
    contribution.text = "Créer des emplois pour les jeunes, partout au Mali."
    contribution.save()
    response = client.get(reverse("admin:workshops_contribution_history", args=[contribution.pk]))
    assert response.status_code == 200
    assert contribution.history.count() == 2


def test_admin_needs_a_superuser_or_staff(client, organiser):
    client.force_login(organiser)
    response = client.get(reverse("admin:workshops_contribution_changelist"))
    assert response.status_code == 302


def _more_rows(model, workshop, participant, regions, theme) -> None:
    """Five more rows of ``model``, each pointing at different related rows."""
    region = regions["Mopti"]
    for i in range(5):
        person = baker.make(Participant, workshop=workshop, region=region)
        if model is Contribution:
            item = baker.make(
                Contribution, workshop=workshop, author=person, zone=workshop.zone_of(region)
            )
            item.themes.add(theme)
        elif model is Participant:
            person.organisation = baker.make(Organisation, home_region=region)
            person.save()
        elif model is Vote:
            target = baker.make(Contribution, workshop=workshop, category=Category.RECOMMENDATION)
            Vote.objects.create(participant=person, contribution=target)
        elif model is Organisation:
            baker.make(Organisation, home_region=regions["Gao"], name=f"Org {i}")
        elif model is BreakoutSession:
            baker.make(BreakoutSession, workshop=workshop, title=f"Session {i}")
        elif model is Theme:
            Theme.objects.create(slug=f"t{i}", name=f"T{i}", workshop=workshop)


@pytest.mark.parametrize(
    ("model", "queries"),
    [
        (Contribution, 7),
        (Participant, 6),  # no zone filter any more: zones belong to workshops
        (Vote, 5),
        (Organisation, 7),
        (BreakoutSession, 6),
        (Theme, 5),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_admin_changelists_do_not_query_per_row(
    client,
    superuser,
    one_of_each,
    workshop,
    participant,
    regions,
    model,
    queries,
    django_assert_num_queries,
):
    client.force_login(superuser)
    url = reverse(f"admin:workshops_{model._meta.model_name}_changelist")
    with django_assert_num_queries(queries):
        client.get(url)
    _more_rows(model, workshop, participant, regions, Theme.objects.first())
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    assert model.objects.count() >= 6


def test_survey_mappings_are_shown_read_only_and_may_be_forgotten(
    client, superuser, workshop, django_assert_num_queries
):
    client.force_login(superuser)
    url = reverse("admin:workshops_surveymapping_changelist")
    mapping = {"columns": {"drivers/long_term": "driver", "_uuid": "ignore"}}
    first = SurveyMapping.objects.create(workshop=workshop, form_key="a" * 64, mapping=mapping)
    with django_assert_num_queries(6):  # session, user, count x2, workshops (filter), rows
        page = client.get(url)
    assert "aaaaaaaaaaaa" in page.text and '<td class="field-answer_columns">1</td>' in page.text
    for i in range(5):
        SurveyMapping.objects.create(workshop=workshop, form_key=f"{i}" * 64, mapping=mapping)
    with django_assert_num_queries(6):  # session, user, count x2, workshops (filter), rows
        client.get(url)
    change = client.get(reverse("admin:workshops_surveymapping_change", args=[first.pk]))
    assert change.status_code == 200 and 'name="mapping"' not in change.text  # read only
    response = client.post(
        reverse("admin:workshops_surveymapping_delete", args=[first.pk]), {"post": "yes"}
    )
    assert response.status_code == 302 and not SurveyMapping.objects.filter(pk=first.pk).exists()
