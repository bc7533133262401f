"""What the API shows and accepts. Participants appear by pseudonymous fields only."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.utils import html

from workshops.access import role_in_workshop
from workshops.choices import (
    Audience,
    Category,
    Gender,
    Horizon,
    Language,
    OrganisationKind,
    SessionKind,
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
from workshops.models.report import PURPOSE_MAX_LENGTH, ReportLanguage
from workshops.validators import SAFE_CHARACTER, UNSAFE_RANGES, validate_safe_text

# Patterns are documented in the schema too, so generated clients (and fuzzers) know the rule.
HAS_TEXT = RegexValidator(
    rf"^{SAFE_CHARACTER}*[^\s{UNSAFE_RANGES}]{SAFE_CHARACTER}*$", _("Write some text.")
)
MAX_ID = 2**31 - 1
PUBLIC_ID = RegexValidator(r"^[0-9a-f]{1,16}$", "A participant's public id: hexadecimal digits.")


class PublicIdField(serializers.CharField):
    """A participant's public id, or null. An empty value is refused, not read as null
    (DRF reads an empty form field as null where null is allowed): the schema says so."""

    def get_value(self, dictionary):
        value = super().get_value(dictionary)
        if (
            value is None
            and html.is_html_input(dictionary)
            and dictionary.get(self.field_name) == ""
        ):
            return ""  # then refused as blank
        return value


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
    """A workshop participant (survey respondents and interviewees are not listed).

    Pseudonymous: no display name, role, organisation name or token."""

    zone = serializers.IntegerField(source="zone_in_workshop", allow_null=True, read_only=True)
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
    author = serializers.CharField(
        source="author.public_id",
        read_only=True,
        allow_null=True,
        help_text=(
            "The `public_id` of the voice who said it: a workshop participant, a survey "
            "respondent or an interviewee; null for an unattributed note."
        ),
    )
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
        min_length=1, max_length=100, trim_whitespace=False, validators=[validate_safe_text]
    )
    text = serializers.CharField(
        min_length=1,
        max_length=settings.CONTRIBUTION_MAX_LENGTH,
        validators=[validate_safe_text, HAS_TEXT],
    )
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
    author = PublicIdField(
        required=False,
        allow_null=True,
        max_length=16,
        validators=[PUBLIC_ID],
        help_text=(
            "Who said it: the `public_id` of a participant of this workshop (see the "
            "participants list). The contribution is then counted as that person's, with "
            "their region and gender as they are now (`region` and `gender` are ignored). "
            "Without it, the contribution is an unattributed note: counted as a "
            "contribution and quotable, never as a person. A `public_id` that is not a "
            "participant of this workshop is refused (400)."
        ),
    )


class SentSerializer(serializers.Serializer):
    client_id = serializers.CharField()
    text = serializers.CharField()


class ContributionConflictSerializer(serializers.Serializer):
    """A refused repeat: the sender's own text back, never the stored row's."""

    detail = serializers.CharField()
    sent = SentSerializer()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


SHOWN = (
    'A count of people as it may be shown: a number, "<5" for 1 to 4, or "×" where '
    "complementary suppression hides it so that no small count can be worked out."
)


def shown_count(help_text: str = SHOWN) -> serializers.CharField:
    return serializers.CharField(help_text=help_text)


class SuppressionSerializer(serializers.Serializer):
    threshold = serializers.IntegerField(help_text="Counts below this (and above 0) are hidden.")
    small = serializers.CharField(help_text="What a count of 1 to threshold-1 is shown as.")
    hidden = serializers.CharField(help_text="What a complementary-suppressed count is shown as.")
    rule = serializers.CharField(help_text="The rule in words, in the roll-up's language.")


SCOPE_CHOICES = [
    ("all", "all"),
    ("workshop", "workshop"),
    ("survey", "survey"),
    ("interview", "interview"),
]
DIMENSION_CHOICES = [("zone", "zone"), ("gender", "gender")]


class NotableRuleSerializer(serializers.Serializer):
    min_group = serializers.IntegerField(help_text="People of the group who raised it, at least.")
    min_ratio = serializers.FloatField(help_text="Share at least this many times the other's.")
    fdr = serializers.FloatField(
        help_text="Benjamini–Hochberg false discovery rate over every test of the release."
    )
    test = serializers.CharField(help_text="The one-sided exact test used.")
    tests = serializers.IntegerField(help_text="Comparisons made (the correction's family).")


class AuditSerializer(serializers.Serializer):
    ok = serializers.BooleanField(help_text="Every hidden small number still spans 1 to 4.")
    hidden = serializers.IntegerField(help_text="Hidden numbers of 1 to 4 that were audited.")
    summary = serializers.CharField()


class TallySerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    contributions = serializers.IntegerField(help_text="Contributions (not people): exact.")
    untagged = serializers.IntegerField(help_text="Of which without a theme yet.")


class TableGroupSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Zone id, or gender value.")
    label = serializers.CharField()
    people = shown_count("People of the group heard in the scope.")


class TableCellSerializer(serializers.Serializer):
    group = serializers.CharField()
    people = shown_count("Distinct people of the group raising the theme.")
    share = serializers.FloatField(
        allow_null=True, help_text="Share of the group raising it; null where a count is hidden."
    )


class TableRowSerializer(serializers.Serializer):
    theme = serializers.CharField(help_text="Theme slug.")
    label = serializers.CharField()
    cells = TableCellSerializer(many=True)
    total = shown_count("Everyone of the scope raising the theme, with or without a group.")


class TableSerializer(serializers.Serializer):
    """Theme × zone or theme × gender for one facet (a category, or a category with its
    horizon or audience), in distinct people of the scope."""

    facet = serializers.CharField(help_text='"challenge", "driver:long_term", …')
    category = serializers.ChoiceField(choices=Category.choices)
    detail = serializers.CharField(help_text="Horizon or audience, or empty.")
    dimension = serializers.ChoiceField(choices=DIMENSION_CHOICES)
    groups = TableGroupSerializer(many=True)
    rows = TableRowSerializer(many=True)


class NotableDifferenceSerializer(serializers.Serializer):
    """A theme raised notably more often by one group than by the group it is compared with."""

    scope = serializers.ChoiceField(choices=SCOPE_CHOICES)
    facet = serializers.CharField()
    dimension = serializers.ChoiceField(choices=DIMENSION_CHOICES)
    theme = serializers.CharField()
    label = serializers.CharField()
    group = serializers.CharField()
    group_label = serializers.CharField()
    people = shown_count()
    group_size = shown_count()
    compared_with = serializers.CharField()
    compared_with_label = serializers.CharField()
    compared_people = shown_count()
    compared_group_size = shown_count()
    p_value = serializers.FloatField()
    q_value = serializers.FloatField(help_text="Benjamini–Hochberg adjusted.")
    sentence = serializers.CharField(help_text="The finding as the draft states it.")


class RankedRecommendationSerializer(serializers.Serializer):
    rank = serializers.IntegerField(min_value=1)
    text = serializers.CharField(help_text="The recommendation people voted for.")
    votes = shown_count("Votes, shown like counts of people.")
    themes = serializers.ListField(child=serializers.CharField(), help_text="Theme slugs.")


class AudienceRecommendationsSerializer(serializers.Serializer):
    audience = serializers.CharField(help_text="national, international, communities or empty.")
    label = serializers.CharField()
    items = RankedRecommendationSerializer(many=True, help_text="Ranked by votes.")


class RollupQuerySerializer(serializers.Serializer):
    """Query parameters of the roll-up: only what the audited release is built for."""

    language = serializers.ChoiceField(
        choices=ReportLanguage.choices,
        required=False,
        help_text="Labels and rule text; default fr.",
    )
    scope = serializers.ChoiceField(
        choices=SCOPE_CHOICES,
        required=False,
        help_text="Whose tables: all voices (default) or one source with tables of its own.",
    )


class RollupSerializer(serializers.Serializer):
    """The workshop's roll-up, the same as the roll-up page: one audited release.

    Every count of people is a string (see ``suppression``); contributions are counted
    exactly. Only countable contributions are counted (published, or pending where none
    are moderated).
    """

    language = serializers.ChoiceField(choices=Language.choices, help_text="fr or en.")
    scope = serializers.ChoiceField(choices=SCOPE_CHOICES)
    scopes = serializers.ListField(
        child=serializers.CharField(), help_text="Scopes with tables in this release."
    )
    suppression = SuppressionSerializer()
    audit = AuditSerializer()
    notable_rule = NotableRuleSerializer()
    contributions = serializers.IntegerField(help_text="Countable contributions in the scope.")
    voices = serializers.IntegerField(help_text="Distinct people heard in the scope.")
    registered = serializers.IntegerField(help_text="Participants registered in the workshop.")
    voices_by_kind = serializers.DictField(child=serializers.IntegerField())
    unattributed = serializers.IntegerField(help_text="Notes from unnamed speakers.")
    organisations = serializers.IntegerField()
    by_category = TallySerializer(many=True)
    by_source = TallySerializer(many=True)
    tables = TableSerializer(many=True)
    notable_differences = NotableDifferenceSerializer(many=True)
    recommendations = AudienceRecommendationsSerializer(many=True)


class ReportExportQuerySerializer(serializers.Serializer):
    """Query parameters of a report export."""

    language = serializers.ChoiceField(
        choices=ReportLanguage.choices,
        required=False,
        help_text="The draft's language; default fr.",
    )


class PurposeQuerySerializer(serializers.Serializer):
    """Why row-level data is read: required, recorded in the data access log."""

    purpose = serializers.CharField(
        max_length=PURPOSE_MAX_LENGTH,
        validators=[HAS_TEXT],
        help_text=(
            "Why you read these rows (required; recorded in the workshop's data access "
            "log with your name, the time and the filters). Or send an X-Purpose header."
        ),
    )
