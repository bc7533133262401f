"""What the API shows and accepts. Participants appear by pseudonymous fields only."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from workshops.choices import (
    Audience,
    Category,
    Gender,
    Horizon,
    Language,
    ModerationStatus,
    OrganisationKind,
    SessionKind,
    Source,
)
from workshops.models import (
    BreakoutSession,
    Contribution,
    Organisation,
    Participant,
    Theme,
    Vote,
    Workshop,
)

# Documented in the schema too, so generated clients (and fuzzers) know the rule.
NO_NUL_OR_SURROGATES = RegexValidator(
    r"^[^\x00\ud800-\udfff]*$", _("NUL characters and lone surrogates are not allowed.")
)
HAS_TEXT = RegexValidator(r"^[^\x00\ud800-\udfff]*\S[^\x00\ud800-\udfff]*$", _("Write some text."))
MAX_ID = 2**31 - 1


class WorkshopSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Workshop
        fields = [
            "slug",
            "title",
            "location",
            "start_date",
            "end_date",
            "status",
            "languages",
            "premoderation",
            "dots_per_participant",
            "role",
        ]

    def get_role(self, workshop) -> str:
        from workshops.access import role_in_workshop

        return role_in_workshop(self.context["request"].user, workshop) or ""


class SessionSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=SessionKind.choices, read_only=True)

    class Meta:
        model = BreakoutSession
        fields = [
            "id",
            "title",
            "kind",
            "guiding_question",
            "focus",
            "order",
            "starts_at",
            "ends_at",
            "status",
        ]


class OrganisationSerializer(serializers.ModelSerializer):
    # Named like the participant's field, so the schema has one OrganisationKind enum.
    organisation_kind = serializers.ChoiceField(
        source="kind", choices=OrganisationKind.choices, read_only=True
    )

    class Meta:
        model = Organisation
        fields = ["id", "name", "acronym", "organisation_kind", "network"]


class ParticipantSerializer(serializers.ModelSerializer):
    """Pseudonymous: no display name, role, organisation name or token."""

    zone = serializers.IntegerField(source="region.zone_id", allow_null=True, read_only=True)
    gender = serializers.ChoiceField(choices=Gender.choices, allow_blank=True, read_only=True)
    organisation_kind = serializers.ChoiceField(
        choices=OrganisationKind.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Participant
        fields = ["public_id", "region", "zone", "gender", "organisation_kind"]


class ThemeSerializer(serializers.ModelSerializer):
    library = serializers.SerializerMethodField()

    class Meta:
        model = Theme
        fields = ["slug", "name", "name_fr", "description", "library"]

    def get_library(self, theme) -> bool:
        return theme.workshop_id is None


class VoteSerializer(serializers.ModelSerializer):
    participant = serializers.CharField(source="participant.public_id", read_only=True)

    class Meta:
        model = Vote
        fields = ["contribution", "participant", "created_at"]


class ContributionSerializer(serializers.ModelSerializer):
    themes = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    author = serializers.CharField(source="author.public_id", read_only=True, allow_null=True)
    votes = serializers.IntegerField(source="vote_count", read_only=True, default=0)
    horizon = serializers.ChoiceField(choices=Horizon.choices, allow_blank=True, read_only=True)
    audience = serializers.ChoiceField(choices=Audience.choices, allow_blank=True, read_only=True)
    gender = serializers.ChoiceField(choices=Gender.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Contribution
        fields = [
            "id",
            "client_id",
            "session",
            "category",
            "horizon",
            "audience",
            "text",
            "language",
            "source",
            "author",
            "zone",
            "region",
            "gender",
            "themes",
            "quotable",
            "status",
            "created_at",
            "votes",
        ]
        read_only_fields = fields


class ContributionCreateSerializer(serializers.Serializer):
    """A staff capture sent through the API; stored exactly once per client id."""

    client_id = serializers.CharField(
        max_length=100, trim_whitespace=False, validators=[NO_NUL_OR_SURROGATES]
    )
    text = serializers.CharField(max_length=settings.CONTRIBUTION_MAX_LENGTH, validators=[HAS_TEXT])
    category = serializers.ChoiceField(choices=Category.choices)
    horizon = serializers.ChoiceField(
        choices=Horizon.choices,
        required=False,
        allow_blank=True,
        help_text="Only kept for a driver of conflict.",
    )
    audience = serializers.ChoiceField(
        choices=Audience.choices,
        required=False,
        allow_blank=True,
        help_text="Only kept for a recommendation.",
    )
    session = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    language = serializers.ChoiceField(choices=Language.choices, default=Language.FRENCH)
    quotable = serializers.BooleanField(default=False)
    region = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    themes = serializers.ListField(
        child=serializers.SlugField(max_length=80), required=False, max_length=20
    )


class ContributionConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    stored = ContributionSerializer()


class ContributionFilterSerializer(serializers.Serializer):
    """Query parameters of the contribution list."""

    category = serializers.ChoiceField(choices=Category.choices, required=False)
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    status = serializers.ChoiceField(choices=ModerationStatus.choices, required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    session = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    zone = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    region = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    theme = serializers.SlugField(required=False, max_length=80)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class CountSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class RollupSerializer(serializers.Serializer):
    """Counts of countable contributions (published, or pending where none moderate)."""

    contributions = serializers.IntegerField()
    by_category = CountSerializer(many=True)
    by_source = CountSerializer(many=True)
    by_zone = CountSerializer(many=True)
    by_gender = CountSerializer(many=True)
    by_theme = CountSerializer(many=True)
    votes = serializers.IntegerField()
