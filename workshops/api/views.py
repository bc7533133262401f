"""REST API v1: the same roles and access helper as the web pages.

Everything hangs under a workshop the user has a role in (``/api/v1/workshops/<slug>/...``):
outsiders get 404, a role too weak for a write gets 403, anonymous callers 401.
Contributions are created exactly once per client id: 201 when stored, 200 with the
stored contribution on an identical repeat from the same author, 409 (with what was
sent, never the stored one) when the id was used for other content or by another.

Row-level reads (contributions with zone, gender and author; participants; votes with
participants) are for organisers: 403 for the other roles, and 400 without a
``purpose`` (query parameter or ``X-Purpose`` header). Each one is recorded in the data
access log with its filters; the rows themselves are not.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
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
    ROW_LEVEL,
    get_session_for_user,
    get_workshop_for_user,
    workshops_for_user,
)
from workshops.analysis.disclosure import ALL
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
from workshops.models.report import (
    AccessChannel,
    ExportAuditLog,
    ExportKind,
    ReportLanguage,
)
from workshops.report import exports
from workshops.services import jobs
from workshops.services.contributions import ClientIdConflict, submit_contribution
from workshops.validators import remove_unsafe_characters

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


class RowLevel(WorkshopScoped):
    """A read of row-level data: organisers only, with a purpose, recorded once per answer.

    The role is checked before anything else (403 before a missing purpose's 400), so a
    weaker role learns nothing, not even a count, from a filtered list.
    """

    needs = ROW_LEVEL
    access_kind: str
    filter_names: tuple[str, ...] = ()

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or getattr(self, "swagger_fake_view", False):
            return
        self.get_workshop()
        self.purpose = purpose_of(request)

    def get(self, request: Request, *args, **kwargs) -> Response:
        response = super().get(request, *args, **kwargs)
        ExportAuditLog.record(
            workshop=self.get_workshop(),
            user=request.user,
            kind=self.access_kind,
            purpose=self.purpose,
            filters=self.recorded_filters(),
            channel=AccessChannel.API,
        )
        return response

    def recorded_filters(self) -> dict:
        params = self.request.query_params
        names = (*self.filter_names, "page")
        found = {name: params.getlist(name) for name in names if name in params}
        found.update({key: str(value) for key, value in self.kwargs.items() if key != "slug"})
        return {key: v[0] if isinstance(v, list) and len(v) == 1 else v for key, v in found.items()}


def purpose_of(request: Request) -> str:
    """The purpose of a row-level read (``?purpose=`` or ``X-Purpose``); 400 without one.

    Characters that cannot be stored are dropped rather than refused: what is left must
    still say something.
    """
    value = request.query_params.get("purpose", request.headers.get("X-Purpose", ""))
    params = s.PurposeQuerySerializer(data={"purpose": remove_unsafe_characters(value)})
    if not params.is_valid():
        raise ValidationError(
            {
                "purpose": [
                    _(
                        "Say why you read these rows: add ?purpose=… or an X-Purpose header. "
                        "It is recorded in the workshop's data access log."
                    )
                ]
            }
        )
    return params.validated_data["purpose"]


ROW_LEVEL_QUERY = [s.PurposeQuerySerializer]
ROW_LEVEL_ERRORS = {
    400: OpenApiResponse(description="No purpose given, or invalid filters."),
}


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


@extend_schema_view(
    get=extend_schema(
        parameters=ROW_LEVEL_QUERY,
        responses=_responses(s.ParticipantSerializer(many=True), ROW_LEVEL_ERRORS),
        summary="Participants (organisers; row-level, recorded)",
    )
)
class ParticipantList(RowLevel, generics.ListAPIView):
    serializer_class = s.ParticipantSerializer
    lookup_field = "public_id"
    access_kind = ExportKind.API_PARTICIPANTS

    def get_queryset(self):
        return (
            Participant.objects.in_the_room()
            .filter(workshop=self.get_workshop())
            .select_related("region")
            .with_zone()
            .order_by("created_at", "pk")
        )


@extend_schema_view(
    get=extend_schema(
        parameters=ROW_LEVEL_QUERY,
        responses=_responses(s.ParticipantSerializer, ROW_LEVEL_ERRORS),
        summary="One participant (organisers; row-level, recorded)",
    )
)
class ParticipantDetail(RowLevel, generics.RetrieveAPIView):
    serializer_class = s.ParticipantSerializer
    lookup_field = "public_id"
    access_kind = ExportKind.API_PARTICIPANT
    get_queryset = ParticipantList.get_queryset


@extend_schema_view(get=extend_schema(responses=_responses(s.ThemeSerializer(many=True))))
class ThemeList(WorkshopScoped, generics.ListAPIView):
    """The shared theme library and the workshop's own themes."""

    serializer_class = s.ThemeSerializer

    def get_queryset(self):
        return Theme.objects.for_workshop(self.get_workshop()).order_by("slug", "pk")


@extend_schema_view(
    get=extend_schema(
        parameters=ROW_LEVEL_QUERY,
        responses=_responses(s.VoteSerializer(many=True), ROW_LEVEL_ERRORS),
        summary="Votes with participants (organisers; row-level, recorded)",
    )
)
class VoteList(RowLevel, generics.ListAPIView):
    serializer_class = s.VoteSerializer
    access_kind = ExportKind.API_VOTES

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
        parameters=ROW_LEVEL_QUERY,
        responses=_responses(s.ContributionSerializer(many=True), ROW_LEVEL_ERRORS),
        summary="Contributions, filtered and paginated (organisers; row-level, recorded)",
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
                description=(
                    "The client id is stored with other content or from another sender; "
                    "what was sent comes back, never the stored contribution."
                ),
            ),
        },
        summary="Send a contribution (exactly once per client id)",
    ),
)
class ContributionList(RowLevel, generics.ListCreateAPIView):
    """GET is row-level (organisers, recorded); POST captures (note-takers and up)."""

    serializer_class = s.ContributionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApiContributionFilter
    access_kind = ExportKind.API_CONTRIBUTIONS
    filter_names = tuple(ApiContributionFilter.base_filters)

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
                .with_zone()
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
        except ClientIdConflict:
            return Response(
                {
                    "detail": "This client id cannot be used for this content.",
                    "sent": {"client_id": data["client_id"], "text": data["text"]},
                },
                status=status.HTTP_409_CONFLICT,
            )
        stored = _contributions(workshop).get(pk=submission.contribution.pk)
        return Response(
            s.ContributionSerializer(stored).data,
            status=status.HTTP_201_CREATED if submission.created else status.HTTP_200_OK,
        )


@extend_schema_view(
    get=extend_schema(
        parameters=ROW_LEVEL_QUERY,
        responses=_responses(s.ContributionSerializer, ROW_LEVEL_ERRORS),
        summary="One contribution (organisers; row-level, recorded)",
    )
)
class ContributionDetail(RowLevel, generics.RetrieveAPIView):
    serializer_class = s.ContributionSerializer
    access_kind = ExportKind.API_CONTRIBUTION

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contribution.objects.none()
        return _contributions(self.get_workshop())


class RollupView(WorkshopScoped, APIView):
    """The roll-up of the workshop, the same as its roll-up page: one audited release.

    Tables by zone and gender for every category count distinct people; counts of 1 to 4
    read "<5" and "×" hides what would give a small count away. Only the filters the
    release is built for are accepted (``scope``, ``language``): any other parameter is
    refused, since a filtered aggregate is a new release nobody audited.
    """

    # ``purpose`` and ``format`` change nothing that is counted.
    ALLOWED = frozenset({"language", "scope", "purpose", "format"})

    @extend_schema(
        parameters=[s.RollupQuerySerializer],
        responses=_responses(s.RollupSerializer, INVALID),
        summary="Roll-up (audited tables, notable differences, ranked recommendations)",
    )
    def get(self, request: Request, slug: str) -> Response:
        workshop = self.get_workshop()
        unknown = sorted(set(request.query_params) - self.ALLOWED)
        if unknown:
            raise ValidationError(
                {
                    name: [_("The roll-up accepts only the scope and language parameters.")]
                    for name in unknown
                }
            )
        params = s.RollupQuerySerializer(
            data={k: v for k, v in request.query_params.items() if k in ("language", "scope")}
        )
        if not params.is_valid():
            raise ValidationError(params.errors)
        language = params.validated_data.get("language", ReportLanguage.FRENCH)
        scope = params.validated_data.get("scope", ALL)
        # A source with too few people for tables of its own reads all voices, as the
        # page does: ``scope`` in the answer says which was read.
        data = build_rollup(workshop, language=language, scope=scope)
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
        summary="Report export (docx, pdf, md, zip of md and charts, html or xlsx)",
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
        file = jobs.download_draft(draft=report, fmt=fmt, user=request.user, may_follow_job=False)
        response = HttpResponse(file.body, content_type=file.content_type)
        response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
        response["Cache-Control"] = "no-store"
        return response
