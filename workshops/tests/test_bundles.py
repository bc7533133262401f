"""Venue bundles (services/bundles.py, views/bundles.py, forms/bundles.py): the file is
encrypted and authenticated, a re-import adds nothing, conflicts are reported and keep
the row here, the page is for organisers only. Two instances: test_deploy_venue_bundle.py."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshops.analysis.rollup import build_rollup
from workshops.api.rollup import rollup_data
from workshops.forms.bundles import BundleImportForm
from workshops.models import (
    Contribution,
    ExportAuditLog,
    Participant,
    Theme,
    Vote,
    Workshop,
    Zone,
)
from workshops.models.report import ExportKind
from workshops.services import bundles
from workshops.tests.report_factories import make_mali_like_workshop, one_contribution

KEY = "a long venue passphrase"
pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(workshop, regions):
    make_mali_like_workshop(workshop, regions)
    assert Vote.objects.exists()
    return workshop


def _bundle(workshop) -> bytes:
    return bundles.export_bundle(workshop=workshop, passphrase=KEY)


def test_a_bundle_is_encrypted_and_opens_with_its_key_only(filled):
    data = _bundle(filled)
    assert data.startswith(bundles.MAGIC)
    assert b"Secret Name" not in data and filled.slug.encode() not in data
    assert bundles.open_sealed(data, KEY)["workshop"] == filled.slug
    with pytest.raises(bundles.BundleError, match="The key is wrong"):
        bundles.open_sealed(data, KEY + "!")


@pytest.mark.parametrize("where", [8, 12, 40, -1])
def test_a_changed_byte_anywhere_makes_the_bundle_unreadable_and_imports_nothing(filled, where):
    data = bytearray(_bundle(filled))
    data[where] ^= 0x01
    before = Contribution.objects.count()
    with pytest.raises(bundles.BundleError) as error:
        bundles.import_bundle(data=bytes(data), passphrase=KEY)
    assert "changed" in str(error.value) or "another version" in str(error.value)
    assert Contribution.objects.count() == before


def test_a_file_that_is_not_a_bundle_is_refused():
    with pytest.raises(bundles.BundleError, match="not a Peace Exchange bundle"):
        bundles.import_bundle(data=b"name,text\nAda,hello\n", passphrase=KEY)


def test_a_short_key_is_refused_before_anything_is_written(workshop):
    with pytest.raises(bundles.BundleError, match="12 to 200"):
        bundles.export_bundle(workshop=workshop, passphrase="short")


def test_importing_the_workshops_own_bundle_adds_nothing(filled):
    result = bundles.import_bundle(data=_bundle(filled), passphrase=KEY)
    assert result.added_total == 0 and not result.conflicts
    assert result.unchanged["contribution"] == Contribution.objects.count()
    assert result.unchanged["vote"] == Vote.objects.count()


def _named(value, workshop, key=None, zones=None):
    """The roll-up with each zone's id replaced by its name (ids are the instance's own)."""
    if zones is None:
        zones = {str(z.pk): "zone:" + z.name for z in Zone.objects.filter(workshop=workshop)}
    if isinstance(value, dict):
        return {k: _named(v, workshop, k, zones) for k, v in value.items()}
    if isinstance(value, list):
        return [_named(v, workshop, key, zones) for v in value]
    if key in ("key", "group", "compared_with") and value in zones:
        return zones[value]
    return value


def test_a_deleted_workshop_comes_back_whole_with_the_same_rollup(filled, organiser):
    expected = _named(rollup_data(build_rollup(filled, language="en")), filled)
    counts = (Contribution.objects.count(), Vote.objects.count(), Participant.objects.count())
    themes = Contribution.themes.through.objects.count()
    data = _bundle(filled)
    Workshop.objects.filter(pk=filled.pk).delete()
    assert Contribution.objects.count() == 0

    result = bundles.import_bundle(data=data, passphrase=KEY, owner=organiser)

    back = Workshop.objects.get(slug=filled.slug)
    assert result.created_workshop and back.pk != filled.pk
    assert back.memberships.get(user=organiser).role == "organiser"
    assert (Contribution.objects.count(), Vote.objects.count(), Participant.objects.count()) == (
        counts
    )
    assert Contribution.themes.through.objects.count() == themes
    assert _named(rollup_data(build_rollup(back, language="en")), back) == expected


def test_a_row_changed_here_is_a_conflict_and_keeps_its_content(filled):
    data = _bundle(filled)
    changed = Contribution.objects.order_by("pk").first()
    Contribution.objects.filter(pk=changed.pk).update(text="Reworded here", quotable=True)

    result = bundles.import_bundle(data=data, passphrase=KEY)

    assert result.added_total == 0
    [conflict] = result.conflicts
    assert (conflict.table, conflict.fields) == ("contribution", ["quotable", "text"])
    assert conflict.key == f"{filled.slug} / {changed.client_id}"
    assert Contribution.objects.get(pk=changed.pk).text == "Reworded here"
    line = bundles.conflict_line(conflict)
    assert changed.client_id in line and "Reworded" not in line


def test_rows_and_links_missing_here_are_added_and_only_those(filled):
    data = _bundle(filled)
    gone = Contribution.objects.filter(votes__isnull=False).order_by("pk").first()
    client_id, n_themes, n_votes = gone.client_id, gone.themes.count(), gone.votes.count()
    gone.votes.all().delete()
    gone.delete()
    other = Contribution.objects.order_by("pk").last()
    other.themes.clear()

    result = bundles.import_bundle(data=data, passphrase=KEY)

    assert result.added == {"contribution": 1, "vote": n_votes}
    assert (
        result.links_added
        == n_themes + Contribution.themes.through.objects.filter(contribution=other).count()
    )
    assert Contribution.objects.get(client_id=client_id).themes.count() == n_themes
    assert not result.conflicts


def test_a_bundle_of_another_workshop_is_refused_on_a_workshops_page(filled, other_workshop):
    with pytest.raises(bundles.BundleError, match="another workshop"):
        bundles.import_bundle(data=_bundle(filled), passphrase=KEY, slug=other_workshop.slug)


def test_a_workshop_specific_theme_travels_with_its_workshop(filled):
    Theme.objects.create(workshop=filled, slug="local", name="Local issue")
    payload = bundles.export_payload(filled)
    theirs = [r for r in payload["tables"]["theme"] if r["f"]["slug"] == "local"]
    assert theirs and theirs[0]["r"]["workshop"] == [filled.slug, 1]


@pytest.mark.parametrize("contributions", [1, 30])
def test_the_export_reads_a_fixed_number_of_queries(
    workshop, regions, django_assert_num_queries, contributions
):
    for _ in range(contributions):
        one_contribution(workshop, regions)
    with django_assert_num_queries(20):  # zones and their regions are two tables now
        bundles.export_payload(workshop)


# --- The page -----------------------------------------------------------------------------


def _page(slug: str, name: str = "report:bundle") -> str:
    return reverse(name, args=[slug])


def test_the_page_offers_both_forms_to_organisers(client_for, organiser, workshop):
    response = client_for(organiser).get(_page(workshop.slug))
    assert response.status_code == 200
    assert "Download the bundle" in response.text and 'enctype="multipart/form-data"' in (
        response.text
    )


def test_an_organiser_downloads_the_bundle_and_the_read_is_recorded(client_for, organiser, filled):
    response = client_for(organiser).post(
        _page(filled.slug, "report:bundle_export"),
        {"key": KEY, "key_again": KEY, "purpose": "moving to the server"},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.pxbundle"')
    assert bundles.open_sealed(response.content, KEY)["workshop"] == filled.slug
    log = ExportAuditLog.objects.get(kind=ExportKind.BUNDLE)
    assert (log.user, log.purpose) == (organiser, "moving to the server")


def test_two_different_keys_re_show_the_form_with_the_purpose_kept(client_for, organiser, workshop):
    response = client_for(organiser).post(
        _page(workshop.slug, "report:bundle_export"),
        {"key": KEY, "key_again": KEY + "x", "purpose": "moving to the server"},
    )
    assert response.status_code == 400
    assert "The two keys differ." in response.text and "moving to the server" in response.text
    assert KEY not in response.text
    assert not ExportAuditLog.objects.filter(kind=ExportKind.BUNDLE).exists()


def test_an_organiser_uploads_a_bundle_and_sees_what_was_added(client_for, organiser, filled):
    data = _bundle(filled)
    votes = Vote.objects.count()
    Vote.objects.all().delete()
    response = client_for(organiser).post(
        _page(filled.slug, "report:bundle_import"),
        {"key": KEY, "file": SimpleUploadedFile("b.pxbundle", data)},
    )
    assert response.status_code == 200
    assert f"{votes} rows added." in response.text
    assert Vote.objects.count() == votes


def test_a_wrong_key_on_upload_says_so_and_imports_nothing(client_for, organiser, filled):
    data = _bundle(filled)
    Vote.objects.all().delete()
    response = client_for(organiser).post(
        _page(filled.slug, "report:bundle_import"),
        {"key": "the wrong passphrase", "file": SimpleUploadedFile("b.pxbundle", data)},
    )
    assert response.status_code == 400
    assert "The key is wrong" in response.text
    assert Vote.objects.count() == 0


@pytest.mark.parametrize("name", ["report:bundle", "report:bundle_export", "report:bundle_import"])
def test_outsiders_get_404(client_for, outsider, workshop, name):
    client = client_for(outsider)
    method = client.get if name == "report:bundle" else client.post
    assert method(_page(workshop.slug, name)).status_code == 404


@pytest.mark.parametrize("name", ["report:bundle", "report:bundle_export", "report:bundle_import"])
def test_read_only_roles_get_403(client_for, viewer, workshop, name):
    client = client_for(viewer)
    method = client.get if name == "report:bundle" else client.post
    assert method(_page(workshop.slug, name)).status_code == 403


@pytest.mark.parametrize(
    ("name", "method"),
    [("report:bundle", "post"), ("report:bundle_export", "get"), ("report:bundle_import", "get")],
)
def test_wrong_methods_get_405(client_for, organiser, workshop, name, method):
    client = client_for(organiser)
    assert getattr(client, method)(_page(workshop.slug, name)).status_code == 405


TEXT = st.one_of(
    st.text(alphabet=st.characters(), max_size=300),
    st.text(alphabet=st.characters(), min_size=5000, max_size=6000),
    st.just("\x00" * 20),
    st.just("\ud800" * 20),
    st.just("مفتاح سري طويل جدا للورشة"),
)


@pytest.mark.fuzz
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(key=TEXT, purpose=TEXT)
def test_any_text_in_the_forms_gives_a_page_never_a_500(
    client_for, organiser, workshop, key, purpose
):
    client = client_for(organiser)
    body = urlencode(
        {"key": key, "key_again": key, "purpose": purpose},
        encoding="utf-8",
        errors="surrogatepass",
    )
    exported = client.post(
        _page(workshop.slug, "report:bundle_export"),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert exported.status_code in (200, 400)
    if exported.status_code == 400:
        assert "is-invalid" in exported.text
    # The file upload as the form receives it (the test client cannot send surrogates).
    upload = BundleImportForm(
        {"key": key}, {"file": SimpleUploadedFile("b.pxbundle", key.encode("utf-8", "replace"))}
    )
    if upload.is_valid():
        with pytest.raises(bundles.BundleError):
            bundles.import_bundle(
                data=upload.cleaned_data["file"].read(), passphrase=upload.cleaned_data["key"]
            )
    else:
        assert upload.errors


def test_a_sealed_bundle_with_bad_content_is_damaged_and_imports_nothing(filled):
    payload = bundles.export_payload(filled)
    Vote.objects.all().delete()
    payload["tables"]["vote"][0]["f"]["created_at"] = "not a date"
    with pytest.raises(bundles.BundleError, match="damaged"):
        bundles.import_bundle(data=bundles.seal(payload, KEY), passphrase=KEY)
    del payload["tables"]["vote"][0]["key"]
    with pytest.raises(bundles.BundleError, match="damaged"):
        bundles.import_bundle(data=bundles.seal(payload, KEY), passphrase=KEY)
    assert not Vote.objects.exists()


def test_the_page_lists_each_conflict_and_a_new_join_code(client_for, organiser, filled):
    data = _bundle(filled)
    changed = Contribution.objects.order_by("pk").first()
    Contribution.objects.filter(pk=changed.pk).update(text="Reworded here")
    response = client_for(organiser).post(
        _page(filled.slug, "report:bundle_import"),
        {"key": KEY, "file": SimpleUploadedFile("b.pxbundle", data)},
    )
    assert response.status_code == 200
    assert "1 conflict: the row already here was kept" in response.text
    assert changed.client_id in response.text and "Reworded here" not in response.text


def test_a_join_code_taken_here_is_replaced_and_said(filled, other_workshop):
    payload = bundles.export_payload(filled)
    Workshop.objects.filter(pk=filled.pk).delete()
    payload["tables"]["workshop"][0]["f"]["join_code"] = other_workshop.join_code
    result = bundles.import_payload(payload)
    assert result.new_join_code and result.workshop.join_code != other_workshop.join_code
    assert any("new join code" in line for line in bundles.summary_lines(result))


def test_keys_are_shown_with_their_numbers_and_references():
    version = [[[["peace-exchange-test", 1], "fr", 1], "summary", 1], 3, 1]
    assert bundles.describe_key(version) == "peace-exchange-test / fr / summary / 3"
    assert bundles.describe_key([["w", 1], 2, "Plenary", 2]) == "w / 2 / Plenary (#2)"
