"""A network's reference Word document: uploaded by a network administrator on the
network page, used by the Word exports of the network's workshops (its styles, header
and footer kept, its sample text dropped)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from docx.shared import RGBColor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshops.forms.networks import ReferenceDocumentForm
from workshops.models import Network, NetworkChange, NetworkMembership
from workshops.report import render
from workshops.services.report import build_draft
from workshops.tests.report_factories import one_contribution

LOGO_TEXT = "WANEP — West Africa Network for Peacebuilding"


def reference_docx() -> bytes:
    document = Document()
    document.sections[0].header.paragraphs[0].text = LOGO_TEXT
    document.sections[0].footer.paragraphs[0].text = "wanep.org"
    document.styles["Heading 1"].font.color.rgb = RGBColor(0x8B, 0x1F, 0x1F)
    document.add_paragraph("Sample text of the template, to be dropped.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "reference.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def network(db, workshop):
    network = Network.objects.create(name="WANEP", acronym="WANEP", slug="wanep")
    workshop.organiser.member_of = network
    workshop.organiser.save(update_fields=["member_of"])
    return network


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


def url(network) -> str:
    return reverse("networks:reference", kwargs={"slug": network.slug})


@pytest.mark.render
def test_word_export_uses_the_reference_styles_header_and_footer(workshop, regions):
    one_contribution(workshop, regions)
    draft = build_draft(workshop=workshop, language="en")
    word = Document(io.BytesIO(render.to_docx(draft, None, template=reference_docx())))
    texts = [p.text for p in word.paragraphs]
    assert "Sample text of the template, to be dropped." not in texts
    assert "Method" in texts
    section = word.sections[0]
    assert section.header.paragraphs[0].text == LOGO_TEXT  # theirs, not replaced
    assert "wanep.org" in [p.text for p in section.footer.paragraphs]
    footer_fields = [n.text for n in section.footer._element.iter() if n.tag.endswith("instrText")]
    assert any("PAGE" in (text or "") for text in footer_fields)
    assert word.styles["Heading 1"].font.color.rgb == RGBColor(0x8B, 0x1F, 0x1F)


@pytest.mark.render
def test_word_export_works_with_a_reference_without_list_or_caption_styles(workshop, regions):
    one_contribution(workshop, regions)
    draft = build_draft(workshop=workshop, language="en")
    bare = Document()
    for name in ("List Number", "List Bullet", "Caption", "Quote", "Title", "TOC Heading"):
        element = bare.styles[name].element
        element.getparent().remove(element)
    buffer = io.BytesIO()
    bare.save(buffer)
    word = Document(io.BytesIO(render.to_docx(draft, None, template=buffer.getvalue())))
    assert "Method" in [p.text for p in word.paragraphs]


@pytest.mark.render
def test_admin_uploads_the_reference_and_the_network_exports_use_it(
    client_for, admin, viewer, network, workshop, regions
):
    response = client_for(admin).post(url(network), {"document": upload(reference_docx())})
    assert response.status_code == 302
    network.refresh_from_db()
    assert network.reference_document.name.startswith("networks/reference/")
    change = NetworkChange.objects.get(network=network)
    assert (change.action, change.actor) == (NetworkChange.Action.REFERENCE_DOCUMENT, admin)
    one_contribution(workshop, regions)
    build_draft(workshop=workshop, language="en")
    export = reverse(
        "report:export", kwargs={"slug": workshop.slug, "language": "en", "fmt": "docx"}
    )
    word = Document(io.BytesIO(client_for(viewer).get(export).content))
    assert word.sections[0].header.paragraphs[0].text == LOGO_TEXT
    page = client_for(admin).get(reverse("networks:network", kwargs={"slug": network.slug}))
    assert "use its reference document" in page.content.decode()


def test_admin_removes_the_reference(client_for, admin, network):
    client = client_for(admin)
    client.post(url(network), {"document": upload(reference_docx())})
    assert client.post(url(network), {"remove": "on"}).status_code == 302
    network.refresh_from_db()
    assert not network.reference_document


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"not a zip at all", "reference.docx", "is not a Word document that can be read"),
        (b"PK\x03\x04 broken", "reference.docx", "is not a Word document that can be read"),
        (b"anything", "reference.pdf", "Choose a Word document (.docx)."),
    ],
)
def test_a_file_that_is_not_a_docx_is_refused_with_a_reason(
    client_for, admin, network, data, name, message
):
    response = client_for(admin).post(url(network), {"document": upload(data, name)})
    assert response.status_code == 422
    assert message in response.content.decode()
    network.refresh_from_db()
    assert not network.reference_document


def test_an_empty_post_asks_for_a_document(client_for, admin, network):
    response = client_for(admin).post(url(network), {})
    assert response.status_code == 422
    assert "Choose a document to upload" in response.content.decode()


def test_member_gets_403_stranger_404_and_get_405(
    client_for, admin, member, outsider, network, django_user_model
):
    assert client_for(member).post(url(network), {"remove": "on"}).status_code == 403
    assert client_for(outsider).post(url(network), {"remove": "on"}).status_code == 404
    assert client_for(admin).get(url(network)).status_code == 405
    assert not NetworkChange.objects.exists()


NAMES = st.text(alphabet=st.characters(codec=None), max_size=300) | st.sampled_from(
    ["\x00.docx", "\ud800.docx", "تقرير.docx", "a" * 5000 + ".docx"]
)


@pytest.mark.fuzz
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAMES, data=st.binary(max_size=2000))
def test_any_upload_is_validated_without_error(name, data):
    form = ReferenceDocumentForm(data={}, files={"document": upload(data, name or "x")})
    assert not form.is_valid()
    assert form.errors
