"""Error pages: translated, in the staff or participant layout, with a way back; the 403
says which role is needed; participants never see Django's technical 404 page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from workshops.models import Network, NetworkMembership
from workshops.views import errors


def _lang(client, code):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    return client


@pytest.mark.parametrize(
    "lang, text",
    [("en", "You need the organiser role"), ("fr", "Il vous faut le rôle organisateur")],
)
def test_403_says_which_role_is_needed_in_the_staff_layout(
    client_for, viewer, workshop, lang, text
):
    client = _lang(client_for(viewer), lang)
    response = client.get(reverse("workshops:workshop_edit", kwargs={"slug": workshop.slug}))
    assert response.status_code == 403
    assert text in response.text
    assert reverse("workshops:dashboard") in response.text  # the staff navigation
    assert 'href="/"' in response.text  # a way back


@pytest.mark.parametrize(
    "lang, text",
    [("en", "Ask your network"), ("fr", "Demandez à l’administrateur de votre réseau")],
)
def test_new_workshop_without_permission_explains_who_can_grant_it(client_for, viewer, lang, text):
    response = _lang(client_for(viewer), lang).get(reverse("workshops:workshop_create"))
    assert response.status_code == 403
    assert text in response.text


@pytest.mark.parametrize("lang, text", [("en", "Page not found"), ("fr", "Page introuvable")])
def test_404_for_staff_is_translated(client_for, outsider, workshop, lang, text):
    client = _lang(client_for(outsider), lang)
    response = client.get(reverse("workshops:workshop", kwargs={"slug": workshop.slug}))
    assert response.status_code == 404
    assert text in response.text
    assert "My workshops" in response.text or "Mes ateliers" in response.text


@pytest.mark.parametrize(
    "lang, text", [("en", "Back to joining a workshop"), ("fr", "Retour pour rejoindre")]
)
@pytest.mark.parametrize("debug", [False, True])
def test_participant_404_is_friendly_even_in_debug(client, workshop, settings, lang, text, debug):
    settings.DEBUG = debug
    _lang(client, lang)
    for path in [f"/j/{workshop.join_code}/s/999999/", f"/j/{workshop.join_code}/no/such/page/"]:
        response = client.get(path)
        assert response.status_code == 404
        assert text in response.text
        assert "URLconf" not in response.text and "Django" not in response.text
        assert 'class="bar"' in response.text  # the light participant layout


@pytest.mark.parametrize("lang, text", [("en", "Bad request"), ("fr", "Requête incorrecte")])
def test_400_is_translated(rf: RequestFactory, lang, text):
    with translation.override(lang):
        response = errors.bad_request(rf.get("/w/"))
    assert response.status_code == 400
    assert text in response.content.decode()


@pytest.mark.parametrize(
    "lang, text", [("en", "Something went wrong"), ("fr", "Un problème est survenu")]
)
def test_500_needs_neither_database_nor_session(rf: RequestFactory, lang, text):
    with translation.override(lang):
        response = errors.server_error(rf.get("/j/ABC/"))
    assert response.status_code == 500
    assert text in response.content.decode()


def test_network_member_who_may_organise_sees_new_workshop_and_may_create(
    client_for, django_user_model, organisation, network
):
    user = django_user_model.objects.create_user(username="issa")
    NetworkMembership.objects.create(network=network, user=user, may_organise=True)
    organisation.member_of = network
    organisation.save()
    client = client_for(user)
    assert reverse("workshops:workshop_create") in client.get(reverse("workshops:dashboard")).text
    assert client.get(reverse("workshops:workshop_create")).status_code == 200


def test_network_member_without_may_organise_may_not_create(
    client_for, django_user_model, organisation, network
):
    user = django_user_model.objects.create_user(username="issa")
    NetworkMembership.objects.create(network=network, user=user, is_administrator=True)
    organisation.member_of = network
    organisation.save()
    assert client_for(user).get(reverse("workshops:workshop_create")).status_code == 403


@pytest.fixture
def network(db):
    return Network.objects.create(
        name="West Africa Network for Peacebuilding", acronym="WANEP", slug="wanep"
    )
