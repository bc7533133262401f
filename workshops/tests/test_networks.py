"""Networks in the app: the network page for administrators (organisations, staff and grants,
invitations by link, the change log), accepting an invitation, and the path from an empty
database to a phone joining a workshop an invited organiser created."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from model_bakery import baker

from workshops.models import (
    Network,
    NetworkChange,
    NetworkInvitation,
    NetworkMembership,
    Participant,
    Workshop,
)
from workshops.services import networks as service
from workshops.tests.participant_factories import consent_data

TOKEN = re.compile(r"/n/invitation/([^/\s]+)/")


@pytest.fixture
def network(db):
    return Network.objects.create(
        name="West Africa Network for Peacebuilding", acronym="WANEP", slug="wanep"
    )


@pytest.fixture
def admin(django_user_model, network):
    user = django_user_model.objects.create_user(username="aissata")
    NetworkMembership.objects.create(network=network, user=user, is_administrator=True)
    return user


@pytest.fixture
def member(django_user_model, network):
    user = django_user_model.objects.create_user(username="moussa")
    NetworkMembership.objects.create(network=network, user=user, may_organise=True)
    return user


@pytest.fixture
def stranger(django_user_model):
    return django_user_model.objects.create_user(username="stranger")


def n_url(name, network, **kwargs):
    return reverse(f"networks:{name}", kwargs={"slug": network.slug, **kwargs})


def test_from_an_empty_database_to_a_phone_joining(
    country, django_user_model, django_capture_on_commit_callbacks
):
    # A superuser bootstraps the network and its first administrator.
    boss = django_user_model.objects.create_user(username="amina", password="x-Long-pass-2026")
    out = io.StringIO()
    call_command(
        "create_network",
        "WANEP",
        name="West Africa Network for Peacebuilding",
        admin="amina",
        stdout=out,
    )
    network = Network.objects.get(slug="wanep")
    admin = Client()
    admin.force_login(boss)
    assert "/n/wanep/" in admin.get(reverse("workshops:dashboard")).text
    # The administrator adds the national office and invites an organiser.
    response = admin.post(
        n_url("organisation_add", network),
        {"name": "WANEP-Mali", "acronym": "WANEP-ML", "kind": "network", "country": country.pk},
    )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):  # the email leaves after commit
        admin.post(n_url("invite", network), {"email": "ibrahim@example.org", "may_organise": "on"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ibrahim@example.org"]
    token = TOKEN.search(mail.outbox[0].body).group(1)
    # The organiser accepts on the link, choosing a username and password.
    organiser = Client()
    accept = reverse("networks:accept", kwargs={"token": token})
    assert organiser.get(accept).status_code == 200
    response = organiser.post(accept, {"username": "ibrahim", "password": "Sahel-Peace-2026"})
    assert response.status_code == 302
    assert organiser.get(accept).status_code == 410  # single use
    # ... and creates a workshop from the dashboard.
    dashboard = organiser.get(reverse("workshops:dashboard")).text
    assert reverse("workshops:workshop_create") in dashboard
    office = network.organisations.get(name="WANEP-Mali")
    response = organiser.post(
        reverse("workshops:workshop_create"),
        {
            "title": "Peace Exchange Mopti",
            "slug": "pe-mopti",
            "location": "Mopti",
            "start_date": "2026-12-01",
            "end_date": "2026-12-02",
            "country": country.pk,
            "organiser": office.pk,
            "languages": ["fr", "en"],
            "status": "live",
            "dots_per_participant": 5,
        },
    )
    assert response.status_code == 302
    workshop = Workshop.objects.get(slug="pe-mopti")
    # A phone joins it with the code.
    phone = Client()
    response = phone.post(reverse("participant:join"), {"code": workshop.join_code})
    assert response.status_code == 302
    consent = reverse("participant:consent", kwargs={"code": workshop.join_code})
    assert phone.post(consent, consent_data(phone, workshop)).status_code == 302
    assert Participant.objects.filter(workshop=workshop).count() == 1
    # Every step is on the network's change log.
    actions = set(network.changes.values_list("action", flat=True))
    assert actions >= {
        NetworkChange.Action.MEMBERSHIP_GRANTED,
        NetworkChange.Action.ORGANISATION_ADDED,
        NetworkChange.Action.INVITATION_SENT,
        NetworkChange.Action.INVITATION_ACCEPTED,
    }
    page = admin.get(n_url("network", network)).text
    assert "Invitation accepted" in page and "WANEP-Mali" in page


def test_admin_grants_and_revokes_with_confirmation(client_for, admin, network, stranger):
    client = client_for(admin)
    client.post(n_url("grant", network), {"username": "stranger", "is_administrator": "on"})
    membership = NetworkMembership.objects.get(network=network, user=stranger)
    assert membership.is_administrator and not membership.may_organise
    revoke = n_url("revoke", network, membership_id=membership.pk)
    assert "Remove stranger" in client.get(revoke).text
    client.post(revoke)  # one click without the confirm page changes nothing
    assert NetworkMembership.objects.filter(pk=membership.pk).exists()
    client.post(revoke, {"confirmed": "yes"})
    assert not NetworkMembership.objects.filter(pk=membership.pk).exists()
    assert network.changes.filter(action=NetworkChange.Action.MEMBERSHIP_REVOKED).exists()


def test_bad_input_keeps_the_text_and_explains(client_for, admin, network):
    response = client_for(admin).post(n_url("invite", network), {"email": "not-an-email"})
    assert response.status_code == 422
    assert "not-an-email" in response.text
    response = client_for(admin).post(n_url("grant", network), {"username": "nobody"})
    assert "No active account has this username." in response.text


def test_an_altered_or_expired_link_is_refused(client, network, settings, admin):
    invitation = service.invite(
        network=network,
        email="x@example.org",
        is_administrator=False,
        may_organise=True,
        actor=admin,
        accept_url=lambda token: token,
    )
    token = service.invitation_token(invitation)
    assert client.get(reverse("networks:accept", kwargs={"token": token + "x"})).status_code == 410
    settings.NETWORK_INVITATION_DAYS = -1
    response = client.get(reverse("networks:accept", kwargs={"token": token}))
    assert response.status_code == 410 and "expired" in response.text
    assert NetworkInvitation.objects.get().accepted_at is None


def test_a_taken_username_is_refused_on_the_link(client, network, admin):
    invitation = service.invite(
        network=network,
        email="x@example.org",
        is_administrator=False,
        may_organise=True,
        actor=admin,
        accept_url=lambda token: token,
    )
    url = reverse("networks:accept", kwargs={"token": service.invitation_token(invitation)})
    response = client.post(url, {"username": "aissata", "password": "Sahel-Peace-2026"})
    assert response.status_code == 422 and "This username is taken" in response.text


# (url name, method) — every network URL needs an administrator.
URLS = [
    ("network", "GET"),
    ("organisation_add", "POST"),
    ("grant", "POST"),
    ("invite", "POST"),
    ("revoke", "GET"),
    ("revoke", "POST"),
]


@pytest.fixture
def urls(network, django_user_model):
    other = django_user_model.objects.create_user(username="other")
    membership = NetworkMembership.objects.create(network=network, user=other)

    def build(name):
        if name == "revoke":
            return n_url(name, network, membership_id=membership.pk)
        return n_url(name, network)

    return build


@pytest.mark.parametrize(("name", "method"), URLS)
@pytest.mark.parametrize(
    ("who", "expected"), [("admin", "ok"), ("member", 403), ("stranger", 404), ("anonymous", 302)]
)
def test_access_matrix(client_for, urls, admin, member, stranger, name, method, who, expected):
    user = {"admin": admin, "member": member, "stranger": stranger, "anonymous": None}[who]
    client = client_for(user)
    url = urls(name)
    response = client.get(url) if method == "GET" else client.post(url, {})
    if expected == "ok":
        assert response.status_code in (200, 302, 422)
    else:
        assert response.status_code == expected
    if who == "anonymous":
        assert reverse("login") in response["Location"]


@pytest.mark.parametrize(("name", "method"), URLS)
def test_wrong_method_is_refused(client_for, urls, admin, name, method):
    url = urls(name)
    client = client_for(admin)
    gettable = {n for n, m in URLS if m == "GET"}
    response = client.delete(url) if name in gettable else client.get(url)
    assert response.status_code == 405


def test_accept_refuses_other_methods(client, network):
    assert client.delete(reverse("networks:accept", kwargs={"token": "x"})).status_code == 405


def test_network_page_queries_do_not_grow(client_for, admin, network, django_assert_num_queries):
    client = client_for(admin)
    client.get(n_url("network", network))
    for i in range(5):
        baker.make("workshops.Organisation", name=f"Org {i}", member_of=network)
        service.grant_membership(
            network=network,
            user=baker.make("auth.User", username=f"u{i}"),
            is_administrator=False,
            may_organise=True,
            actor=admin,
        )
    # session, user, network, membership, organisations, memberships, invitations, changes,
    # countries of the form
    with django_assert_num_queries(9):
        assert client.get(n_url("network", network)).status_code == 200


def test_the_network_page_gives_each_form_its_own_ids(client_for, admin, network):
    page = client_for(admin).get(f"/n/{network.slug}/").text
    ids = re.findall(r'\bid="(id_[^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
