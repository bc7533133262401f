"""REST API v1: the same roles and access helper as the web pages.

Everything hangs under a workshop the user has a role in (``/api/v1/workshops/<slug>/...``):
outsiders get 404, a role too weak for a write gets 403, anonymous callers 401.
Contributions are created exactly once per client id: 201 when stored, 200 with the
stored contribution on an identical repeat, 409 when the id was used for other content.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, JsonResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workshops.access import (
    CAPTURE,
    READ,
    get_session_for_user,
    get_workshop_for_user,
    workshops_for_user,
)
from workshops.analysis.rollup import build_rollup
from workshops.api import serializers as s
from workshops.api.pagination import StrictPageNumberPagination
from workshops.api.rollup import rollup_data
from workshops.choices import Source
from workshops.filters import ApiContributionFilter
from workshops.models import (
    BreakoutSession,
    Contribution,
    Organisation,
    Participant,
    Region,
    ReportDraft,
    Theme,
    Vote,
    Workshop,
)
from workshops.models.report import ReportLanguage
from workshops.report import exports
from workshops.services.contributions import ClientIdConflict, submit_contribution

ERRORS = {
    401: OpenApiResponse(s.ErrorSerializer, description="Not authenticated."),
    403: OpenApiResponse(s.ErrorSerializer, description="Your role does not allow this."),
    404: OpenApiResponse(s.ErrorSerializer, description="Not found, or not yours to see."),
    429: OpenApiResponse(s.ErrorSerializer, description="Too many requests."),
}
INVALID = {400: OpenApiResponse(description="Invalid input; errors by field.")}


def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any other path under /api/ answers in JSON, like the API does."""
    return JsonResponse({"detail": "Not found."}, status=404)


def _responses(ok, extra: dict | None = None) -> dict:
    return {200: ok, **ERRORS, **(extra or {})}


class Paginated:
    pagination_class = StrictPageNumberPagination


class WorkshopScoped(Paginated):
    """Views under ``workshops/<slug>/``: the workshop comes from the access helper."""

    needs = READ
    kwargs: dict
    request: Request

    def get_workshop(self, needs: str | None = None) -> Workshop:
        if getattr(self, "swagger_fake_view", False):
            return Workshop()
        key = f"_workshop_{needs or self.needs}"
        if not hasattr(self, key):
            setattr(
                self,
                key,
                get_workshop_for_user(self.request, self.kwargs["slug"], needs=needs or self.needs),
            )
        return getattr(self, key)


@extend_schema_view(
    get=extend_schema(responses=_responses(s.WorkshopSerializer(many=True)), summary="Workshops")
)
class WorkshopList(Paginated, generics.ListAPIView):
    serializer_class = s.WorkshopSerializer

    def get_queryset(self):
        return workshops_for_user(self.request.user).order_by("-start_date", "slug")


@extend_schema_view(get=extend_schema(responses=_responses(s.WorkshopSerializer)))
class WorkshopDetail(WorkshopScoped, generics.RetrieveAPIView):
    serializer_class = s.WorkshopSerializer

    def get_object(self):
        return self.get_workshop()


@extend_schema_view(get=extend_schema(responses=_responses(s.OrganisationSerializer(many=True))))
class OrganisationList(Paginated, generics.ListAPIView):
    """Organisations organising or taking part in the workshops you have a role in."""

    serializer_class = s.OrganisationSerializer

    def get_queryset(self):
        return _organisations(self.request.user)


@extend_schema_view(get=extend_schema(responses=_responses(s.OrganisationSerializer)))
class OrganisationDetail(generics.RetrieveAPIView):
    serializer_class = s.OrganisationSerializer

    def get_queryset(self):
        return _organisations(self.request.user)


def _organisations(user):
    workshops = workshops_for_user(user).values("pk")
    return (
        Organisation.objects.filter(
            Q(organised_workshops__in=workshops) | Q(workshops__in=workshops)
        )
        .distinct()
        .order_by("name")
    )


@extend_schema_view(get=extend_schema(responses=_responses(s.SessionSerializer(many=True))))
class SessionList(WorkshopScoped, generics.ListAPIView):
    serializer_class = s.SessionSerializer

    def get_queryset(self):
        return BreakoutSession.objects.filter(workshop=self.get_workshop()).order_by("order", "pk")


@extend_schema_view(get=extend_schema(responses=_responses(s.SessionSerializer)))
class SessionDetail(WorkshopScoped, generics.RetrieveAPIView):
    serializer_class = s.SessionSerializer
    get_queryset = SessionList.get_queryset


@extend_schema_view(get=extend_schema(responses=_responses(s.ParticipantSerializer(many=True))))
class ParticipantList(WorkshopScoped, generics.ListAPIView):
    serializer_class = s.ParticipantSerializer
    lookup_field = "public_id"

    def get_queryset(self):
        return (
            Participant.objects.in_the_room()
            .filter(workshop=self.get_workshop())
            .select_related("region")
            .order_by("created_at", "pk")
        )


@extend_schema_view(get=extend_schema(responses=_responses(s.ParticipantSerializer)))
class ParticipantDetail(WorkshopScoped, generics.RetrieveAPIView):
    serializer_class = s.ParticipantSerializer
    lookup_field = "public_id"
    get_queryset = ParticipantList.get_queryset


@extend_schema_view(get=extend_schema(responses=_responses(s.ThemeSerializer(many=True))))
class ThemeList(WorkshopScoped, generics.ListAPIView):
    """The shared theme library and the workshop's own themes."""

    serializer_class = s.ThemeSerializer

    def get_queryset(self):
        return Theme.objects.for_workshop(self.get_workshop()).order_by("slug", "pk")


@extend_schema_view(get=extend_schema(responses=_responses(s.VoteSerializer(many=True))))
class VoteList(WorkshopScoped, generics.ListAPIView):
    serializer_class = s.VoteSerializer

    def get_queryset(self):
        return (
            Vote.objects.filter(contribution__workshop=self.get_workshop())
            .select_related("participant")
            .order_by("created_at", "pk")
        )


def _contributions(workshop: Workshop):
    return (
        Contribution.objects.filter(workshop=workshop)
        .select_related("author")
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.only("pk", "slug")))
        .annotate(vote_count=Count("votes", distinct=True))
        .order_by("-created_at", "-pk")
    )


@extend_schema_view(
    get=extend_schema(
        responses=_responses(s.ContributionSerializer(many=True), INVALID),
        summary="Contributions, filtered and paginated",
    ),
    post=extend_schema(
        request=s.ContributionCreateSerializer,
        responses={
            200: OpenApiResponse(
                s.ContributionSerializer, description="Already stored: the stored one."
            ),
            201: OpenApiResponse(s.ContributionSerializer, description="Stored."),
            **INVALID,
            **ERRORS,
            409: OpenApiResponse(
                s.ContributionConflictSerializer,
                description="The client id is stored with other content; the stored one.",
            ),
        },
        summary="Send a contribution (exactly once per client id)",
    ),
)
class ContributionList(WorkshopScoped, generics.ListCreateAPIView):
    serializer_class = s.ContributionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApiContributionFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contribution.objects.none()
        return _contributions(self.get_workshop())

    def create(self, request: Request, *args, **kwargs) -> Response:
        workshop = self.get_workshop(needs=CAPTURE)
        incoming = s.ContributionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        session = None
        if data.get("session"):
            session = get_session_for_user(request, workshop.slug, data["session"], needs=CAPTURE)
        region = None
        if data.get("region"):
            region = Region.objects.filter(
                country_id=workshop.country_id, pk=data["region"]
            ).first()
            if region is None:
                raise ValidationError({"region": ["Not a region of the workshop's country."]})
        author = None
        if data.get("author"):
            author = (
                Participant.objects.in_the_room()
                .select_related("region")
                .filter(workshop=workshop, public_id=data["author"])
                .first()
            )
            if author is None:
                raise ValidationError(
                    {"author": ["No participant of this workshop has this public id."]}
                )
        themes = []
        if data.get("themes"):
            themes = list(Theme.objects.for_workshop(workshop).filter(slug__in=data["themes"]))
            missing = set(data["themes"]) - {theme.slug for theme in themes}
            if missing:
                raise ValidationError({"themes": [f"Unknown theme: {sorted(missing)[0]}"]})
        try:
            submission = submit_contribution(
                workshop=workshop,
                client_id=data["client_id"],
                text=data["text"],
                category=data["category"],
                horizon=data.get("horizon", ""),  # the service keeps what the category takes
                audience=data.get("audience", ""),
                session=session,
                language=data["language"],
                quotable=data["quotable"],
                region=region,
                gender=data.get("gender", ""),
                themes=themes,
                author=author,
                source=Source.IMPORT,
                created_by=request.user,
            )
        except ClientIdConflict as conflict:
            stored = _contributions(workshop).get(pk=conflict.stored.pk)
            return Response(
                {
                    "detail": "This client id is already stored with other content.",
                    "stored": s.ContributionSerializer(stored).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        stored = _contributions(workshop).get(pk=submission.contribution.pk)
        return Response(
            s.ContributionSerializer(stored).data,
            status=status.HTTP_201_CREATED if submission.created else status.HTTP_200_OK,
        )


@extend_schema_view(get=extend_schema(responses=_responses(s.ContributionSerializer)))
class ContributionDetail(WorkshopScoped, generics.RetrieveAPIView):
    serializer_class = s.ContributionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contribution.objects.none()
        return _contributions(self.get_workshop())


class RollupView(WorkshopScoped, APIView):
    """The roll-up of the workshop, the same as its roll-up page: small counts suppressed.

    Cross-tabs by zone and gender count distinct participants; counts of 1 to 4 read
    "<5" and complementary suppression hides ("×") what totals would give away.
    Notable differences and recommendations ranked by votes come from the same analysis.
    """

    @extend_schema(
        parameters=[s.RollupQuerySerializer],
        responses=_responses(s.RollupSerializer, INVALID),
        summary="Roll-up (suppressed cross-tabs, notable differences, ranked recommendations)",
    )
    def get(self, request: Request, slug: str) -> Response:
        workshop = self.get_workshop()
        query = {}
        if "language" in request.query_params:
            query["language"] = request.query_params["language"]
        if "source" in request.query_params:
            query["source"] = request.query_params.getlist("source")
        params = s.RollupQuerySerializer(data=query)
        if not params.is_valid():
            raise ValidationError(params.errors)
        language = params.validated_data.get("language", ReportLanguage.FRENCH)
        sources = sorted(set(params.validated_data.get("source", [])))
        data = build_rollup(workshop, language=language, sources=sources)
        return Response(s.RollupSerializer(rollup_data(data)).data)


class IgnoreAccept(DefaultContentNegotiation):
    """A file download answers whatever the client accepts; errors stay JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


EXPORT_FORMATS = list(exports.DRAFT_FORMATS)


class ReportExport(WorkshopScoped, APIView):
    """The report draft in one language as a file, recorded in the export audit log.

    The same access rule as the web export: every staff role of the workshop.
    404 when the workshop has no draft in that language yet.
    """

    content_negotiation_class = IgnoreAccept

    @extend_schema(
        parameters=[
            s.ReportExportQuerySerializer,
            OpenApiParameter("fmt", OpenApiTypes.STR, OpenApiParameter.PATH, enum=EXPORT_FORMATS),
        ],
        responses={
            **{
                (200, content_type.split(";")[0]): OpenApiResponse(
                    OpenApiTypes.BINARY, description="The draft as a file, by `fmt`."
                )
                for _kind, content_type in exports.DRAFT_FORMATS.values()
            },
            **ERRORS,
            **INVALID,
        },
        summary="Report export (docx, pdf, md or html)",
        operation_id="v1_workshops_report_export",
    )
    def get(self, request: Request, slug: str, fmt: str) -> HttpResponse:
        workshop = self.get_workshop()
        if fmt not in exports.DRAFT_FORMATS:
            raise NotFound
        query = (
            {"language": request.query_params["language"]}
            if "language" in request.query_params
            else {}
        )
        params = s.ReportExportQuerySerializer(data=query)
        if not params.is_valid():
            raise ValidationError(params.errors)
        language = params.validated_data.get("language", ReportLanguage.FRENCH)
        report = ReportDraft.objects.filter(workshop=workshop, language=language).first()
        if report is None:
            raise NotFound
        file = exports.export_draft(report=report, fmt=fmt, user=request.user)
        response = HttpResponse(file.body, content_type=file.content_type)
        response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
        response["Cache-Control"] = "no-store"
        return response
