"""schemathesis against the live OpenAPI schema: every operation, 100 examples each.

The Django WSGI app is called in-process as an organiser with a token, so most
requests reach real data: a path ``slug`` that is well formed is pointed at the
test workshop. Checks: no server errors, documented status codes, content types
and headers, response bodies that match the schema, and invalid input refused.
"""

import json
import re

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from workshops.choices import Category, Source
from workshops.services.contributions import submit_contribution
from workshops.services.report import build_draft
from workshops.validators import remove_unsafe_characters

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # The test runs inside a transaction: keep Django from closing the connection
    # at the end of each in-process request, as its own test client does.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(organiser, workshop, session, participant, regions):
    submit_contribution(
        workshop=workshop,
        session=session,
        client_id="seed-1",
        text="The state is absent in the North.",
        category=Category.DRIVER,
        source=Source.NOTE,
        region=regions["Gao"],
    )
    build_draft(workshop=workshop, language="fr")  # so that report exports answer 200 too
    return Token.objects.create(user=organiser).key


def _load_schema():
    """The schema the app serves, generated in-process at collection (it reads no data;
    /api/schema/ itself answers signed-in staff only)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(generated)))
    loaded.app = get_wsgi_application()
    loaded.location = "/api/schema/"
    return loaded


schema = _load_schema()


@pytest.mark.fuzz
@schema.parametrize()
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(db, case, token, workshop):
    cache.clear()  # the throttle would otherwise stop the fuzzer, not the API
    slug = (case.path_parameters or {}).get("slug")
    if slug is not None and SLUG.match(str(slug)):
        case.path_parameters["slug"] = workshop.slug
    excluded = []
    purpose = (case.query or {}).get("purpose")
    if isinstance(purpose, str) and not remove_unsafe_characters(purpose).strip():
        # The generator does not hold to the purpose's pattern (it sends control
        # characters or a lone "\n"), which the API rightly refuses with 400 (tested in
        # test_api_views): give the fuzzer's row-level reads a purpose instead.
        case.query["purpose"] = "Schema conformance check"
    if case.method.upper() == "POST":
        # A schema-valid body may still name a session, region or theme that does not
        # exist in this workshop: that is a 400 with reasons, not a failure.
        excluded = [positive_data_acceptance]
    # The in-process WSGI client does not unzip; GZipMiddleware would compress JSON.
    headers = {"Authorization": f"Token {token}", "Accept-Encoding": "identity"}
    case.call_and_validate(headers=headers, excluded_checks=excluded)
