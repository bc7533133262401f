"""Row-level data on the web and the command line: organisers only, a purpose, a record.

Each row-level URL × each role (organiser 200 and a record; facilitator, note-taker,
viewer 403; outsider 404); the purpose is required and kept on error; commands need
``--purpose`` and record as the system; the Data access log page is for organisers
and its query count does not grow with its length.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from workshops.models import ExportAuditLog
from workshops.report.forms import RowExportForm
from workshops.tests.report_factories import one_contribution

pytestmark = pytest.mark.django_db

STAFF = ["organiser", "facilitator", "note_taker", "viewer", "outsider"]
PURPOSE = "Coding the Gao notes before the validation meeting"


def _expected(role: str) -> int:
    return {"organiser": 200, "outsider": 404}.get(role, 403)


@pytest.fixture
def noted(workshop, regions):
    one_contribution(workshop, regions)
    return workshop


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_row_export_is_for_organisers_and_recorded(request, client_for, role, fmt, noted):
    user = request.getfixturevalue(role)
    url = reverse("report:rows", args=[noted.slug])
    client = client_for(user)
    assert client.get(url).status_code == _expected(role)
    response = client.post(url, {"fmt": fmt, "sources": ["note"], "purpose": PURPOSE})
    assert response.status_code == _expected(role)
    records = list(
        ExportAuditLog.objects.values_list("user__username", "kind", "purpose", "filters")
    )
    if role == "organiser":
        assert "attachment" in response["Content-Disposition"]
        assert records == [("olivia", f"{fmt}_rows", PURPOSE, {"sources": ["note"]})]
    else:
        assert records == []


@pytest.mark.parametrize("role", STAFF)
def test_the_old_row_link_sends_organisers_to_the_form(request, client_for, role, noted):
    url = reverse("report:contributions", args=[noted.slug, "csv"]) + "?level=rows"
    response = client_for(request.getfixturevalue(role)).get(url)
    assert response.status_code == (302 if role == "organiser" else _expected(role))
    assert not ExportAuditLog.objects.exists()


def test_the_row_export_needs_a_purpose_and_keeps_the_choices(client_for, organiser, noted):
    url = reverse("report:rows", args=[noted.slug])
    response = client_for(organiser).post(
        url, {"fmt": "csv", "sources": ["survey"], "purpose": " "}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "purpose" in form.errors
    assert form["fmt"].value() == "csv" and form["sources"].value() == ["survey"]
    assert not ExportAuditLog.objects.exists()


def test_the_purpose_label_is_translated():
    with translation.override("fr"):
        form = RowExportForm()
        assert str(form.fields["purpose"].label) == "Objet de la consultation"
        assert "journal des accès" in str(form.fields["purpose"].help_text)


@pytest.mark.parametrize("role", STAFF)
def test_the_participant_list_is_for_organisers_and_each_visit_is_recorded(
    request, client_for, role, noted, participant
):
    participant.display_name = "Aminata Diallo"
    participant.save()
    client = client_for(request.getfixturevalue(role))
    url = reverse("workshops:participants", args=[noted.slug])
    response = client.get(url, {"purpose": PURPOSE})
    assert response.status_code == _expected(role)
    if role != "organiser":
        assert not ExportAuditLog.objects.exists()
        return
    assert "Aminata Diallo" in response.content.decode()
    again = client.get(url)  # the purpose is kept for the browser session
    assert "Aminata Diallo" in again.content.decode()
    assert list(ExportAuditLog.objects.values_list("kind", "purpose")) == [
        ("participant_page", PURPOSE),
        ("participant_page", PURPOSE),
    ]


def test_the_participant_list_asks_the_purpose_before_showing_names(
    client_for, organiser, noted, participant
):
    participant.display_name = "Aminata Diallo"
    participant.save()
    client = client_for(organiser)
    url = reverse("workshops:participants", args=[noted.slug])
    asked = client.get(url)
    assert asked.status_code == 200 and "Aminata" not in asked.content.decode()
    refused = client.get(url, {"purpose": ""})
    assert refused.status_code == 400 and "Aminata" not in refused.content.decode()
    client.get(url, {"purpose": PURPOSE})
    changed = client.get(url, {"change": ""})
    assert changed.status_code == 200 and "Aminata" not in changed.content.decode()
    assert ExportAuditLog.objects.count() == 1


@pytest.mark.parametrize("role", STAFF)
def test_the_access_log_page_is_for_organisers(request, client_for, role, noted, organiser):
    ExportAuditLog.record(workshop=noted, user=organiser, kind="csv_rows", purpose=PURPOSE)
    response = client_for(request.getfixturevalue(role)).get(
        reverse("workshops:access_log", args=[noted.slug])
    )
    assert response.status_code == _expected(role)
    if role == "organiser":
        html = response.content.decode()
        assert PURPOSE in html and "olivia" in html


def test_the_access_log_shows_commands_as_the_system_in_french(client_for, organiser, noted):
    call_command(
        "build_report", noted.slug, "-o", "-", "--purpose", "Rapport de la semaine", stdout=None
    )
    client = client_for(organiser)
    response = client.get(
        reverse("workshops:access_log", args=[noted.slug]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    html = response.content.decode()
    assert "système (ligne de commande)" in html and "Rapport de la semaine" in html
    assert "Journal des accès aux données" in html


@pytest.mark.parametrize("entries", [1, 120])
def test_the_access_log_page_has_a_fixed_number_of_queries(
    client_for, organiser, viewer, noted, entries, django_assert_num_queries
):
    ExportAuditLog.objects.bulk_create(
        ExportAuditLog(
            workshop=noted,
            user=organiser if i % 2 else None,
            channel="api" if i % 2 else "command",
            kind="api_votes",
            purpose=f"Purpose {i}",
            filters={"page": str(i)},
        )
        for i in range(entries)
    )
    client = client_for(organiser)
    url = reverse("workshops:access_log", args=[noted.slug])
    client.get(url)  # warm the session
    with django_assert_num_queries(7):
        response = client.get(url, {"page": 2 if entries > 50 else 1})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(entries, 50)


def test_records_keep_filters_and_purpose_never_rows(client_for, organiser, noted):
    client_for(organiser).post(
        reverse("report:rows", args=[noted.slug]), {"fmt": "csv", "purpose": PURPOSE}
    )
    record = ExportAuditLog.objects.get()
    stored = f"{record.filters} {record.purpose}"
    text = noted.contributions.get().text
    assert text not in stored


# --- Commands ---------------------------------------------------------------------------


def _commands(workshop, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("a,b\n1,2\n")
    return {
        "build_report": ["build_report", workshop.slug, "-o", str(tmp_path / "r.md")],
        "import_kobo": ["import_kobo", str(empty), "--workshop", workshop.slug, "--dry-run"],
        "import_acled": ["import_acled", str(empty), "--workshop", workshop.slug, "--dry-run"],
        "purge_expired": ["purge_expired", "--dry-run"],
    }


@pytest.mark.parametrize("name", ["build_report", "import_kobo", "import_acled", "purge_expired"])
def test_commands_refuse_to_run_without_a_purpose(name, noted, tmp_path):
    args = _commands(noted, tmp_path)[name]
    with pytest.raises(CommandError, match="--purpose"):
        call_command(*args)
    with pytest.raises(CommandError, match="say why"):
        call_command(*args, "--purpose", "   ")
    assert not ExportAuditLog.objects.exists()


def test_build_report_records_the_system_as_who(noted, tmp_path):
    call_command(*_commands(noted, tmp_path)["build_report"], "--purpose", "Weekly report")
    record = ExportAuditLog.objects.get()
    assert (record.user, record.channel, record.kind, record.purpose) == (
        None,
        "command",
        "build_report",
        "Weekly report",
    )
    assert record.who == "system (command line)"
    assert record.filters == {"format": "md", "language": "fr"}


@pytest.mark.parametrize("name", ["import_kobo", "import_acled"])
def test_import_commands_record_their_run(name, noted, tmp_path):
    with pytest.raises(CommandError):  # the file is not a survey nor an ACLED export
        call_command(*_commands(noted, tmp_path)[name], "--purpose", "Survey week")
    assert list(ExportAuditLog.objects.values_list("kind", "purpose", "filters")) == [
        (name, "Survey week", {"dry_run": "True"})
    ]


def test_purge_expired_records_each_workshop_it_reads(noted, tmp_path):
    noted.retention_until = dt.date(2026, 1, 31)
    noted.save()
    call_command(*_commands(noted, tmp_path)["purge_expired"], "--purpose", "Daily run")
    assert list(ExportAuditLog.objects.values_list("workshop", "kind", "user")) == [
        (noted.pk, "purge_expired", None)
    ]
