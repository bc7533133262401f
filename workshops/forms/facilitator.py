"""Forms of the staff pages: set-up, agenda, capture, moderation."""

from __future__ import annotations

import csv
import io
import uuid

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from workshops.choices import (
    Audience,
    Category,
    Gender,
    Horizon,
    ModerationStatus,
    SessionKind,
    StaffRole,
)
from workshops.filters import BoardFilter
from workshops.models import (
    BreakoutSession,
    Contribution,
    Organisation,
    Participant,
    Region,
    Theme,
    Workshop,
    Zone,
)
from workshops.services import moderation
from workshops.sources.delimited import sniff_delimiter
from workshops.validators import SafeCharField, safe_formfield

MAX_CSV_LINES = 2000
RESERVED_SLUGS = {"new"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


# --- Workshops ------------------------------------------------------------------


class WorkshopForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        initial=["fr"],
    )

    class Meta:
        model = Workshop
        formfield_callback = safe_formfield
        fields = [
            "title",
            "slug",
            "location",
            "start_date",
            "end_date",
            "country",
            "organiser",
            "languages",
            "status",
            "premoderation",
            "dots_per_participant",
            "retention_until",
            "participants_at_risk",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "retention_until": DateInput(),
        }

    def __init__(self, *args, organisers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisers is not None:
            self.fields["organiser"].queryset = organisers
        if self.instance.pk:
            # Links and QR codes already printed carry the slug and the organiser.
            del self.fields["slug"]
            del self.fields["organiser"]
        self.fields["dots_per_participant"].min_value = 1
        self.fields["dots_per_participant"].max_value = 20
        self.fields["dots_per_participant"].widget.attrs.update(min=1, max=20)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise ValidationError(_("This address is reserved; choose another one."))
        return slug


class StaffForm(forms.Form):
    username = SafeCharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        try:
            return get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise ValidationError(_("No active account has this username.")) from None


# --- Organisations and participants ----------------------------------------------


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        formfield_callback = safe_formfield
        fields = ["name", "acronym", "kind", "home_region", "network"]

    def __init__(self, *args, country=None, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.all()
        if country is not None:
            regions = regions.filter(country=country)
        self.fields["home_region"].queryset = regions

    def validate_unique(self):
        # An organisation already known is linked rather than refused (see the service).
        pass


class EditOrganisationForm(forms.ModelForm):
    """Changing an organisation only this workshop lists: its name stays unique."""

    class Meta:
        model = Organisation
        formfield_callback = safe_formfield
        fields = ["name", "acronym", "kind", "home_region", "network"]

    def __init__(self, *args, country=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_region"].queryset = Region.objects.filter(country=country)


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = Participant
        formfield_callback = safe_formfield
        fields = ["display_name", "organisation", "organisation_kind", "region", "gender", "role"]

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(workshops=workshop)
        if self.instance.organisation_id:  # still offered if taken off the list since
            organisations = Organisation.objects.filter(
                Q(workshops=workshop) | Q(pk=self.instance.organisation_id)
            ).distinct()
        self.fields["organisation"].queryset = organisations
        self.fields["region"].queryset = Region.objects.filter(country_id=workshop.country_id)
        if self.instance.pk:
            self.fields["region"].help_text = _(
                "Contributions already made keep the region and gender recorded when "
                "they were made."
            )


class PasteForm(forms.Form):
    text = SafeCharField(
        label=_("Pasted list (CSV with a header row)"),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        max_length=200_000,
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        try:
            self.cleaned_data["rows"] = parse_rows(text)
        except csv.Error:
            raise ValidationError(
                _("This does not read as a list with a header row (CSV).")
            ) from None
        return text

    def rows(self) -> list[tuple[int, dict[str, str]]]:
        return self.cleaned_data["rows"]


def parse_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs of a pasted CSV; header names lower-cased and trimmed."""
    delimiter = sniff_delimiter(text) or ","  # tabs when pasted straight from a spreadsheet
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    if reader.fieldnames:
        reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames]
    rows = []
    for row in reader:
        if reader.line_num > MAX_CSV_LINES:
            raise ValidationError(_("At most %(n)s lines at once.") % {"n": MAX_CSV_LINES})
        cleaned = {
            key: (value or "").strip()
            for key, value in row.items()
            if isinstance(key, str) and not isinstance(value, list)
        }
        if any(cleaned.values()):
            rows.append((reader.line_num, cleaned))
    return rows


def participant_label(participant: Participant) -> str:
    """A name (or number) with what analysis needs: region and gender."""
    parts = [str(participant)]
    if participant.region_id:
        parts.append(participant.region.name)
    if participant.gender:
        parts.append(participant.get_gender_display())
    return " · ".join(parts)


# --- Sessions -------------------------------------------------------------------


class SessionForm(forms.ModelForm):
    focus = forms.MultipleChoiceField(
        label=_("Focus categories"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # "Select all" that works without JavaScript: ticked, the session gets everyone in the room.
    all_participants = forms.BooleanField(
        label=_("Select all: everyone in the workshop"),
        required=False,
        help_text=_("Ticked, every participant of the workshop is in this session."),
    )

    class Meta:
        model = BreakoutSession
        formfield_callback = safe_formfield
        fields = [
            "title",
            "kind",
            "guiding_question",
            "focus",
            "starts_at",
            "ends_at",
            "participants",
            "staff",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "guiding_question": forms.Textarea(attrs={"rows": 3}),
            "participants": forms.CheckboxSelectMultiple,
            "staff": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = SessionKind.choices
        self.fields["participants"].queryset = workshop.participants.in_the_room().select_related(
            "region"
        )
        self.fields["participants"].label_from_instance = participant_label
        self.fields["staff"].queryset = workshop.staff.all().distinct()
        self.fields["staff"].label_from_instance = lambda user: user.get_username()
        order = [name for name in self.fields if name != "all_participants"]
        order.insert(order.index("participants"), "all_participants")
        self.order_fields(order)

    def clean(self):
        data = super().clean()
        if data.get("all_participants"):
            data["participants"] = self.fields["participants"].queryset
        return data


# --- Capture ---------------------------------------------------------------------


class CaptureForm(forms.Form):
    text = SafeCharField(
        label=_("What was said"),
        max_length=settings.CONTRIBUTION_MAX_LENGTH,
        error_messages={"required": _("Type what was said.")},
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "class": "capture-box"}
        ),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=Category.choices, widget=forms.RadioSelect
    )
    horizon = forms.ChoiceField(
        label=_("Horizon (drivers)"),
        choices=[("", _("Not set")), *Horizon.choices],
        widget=forms.RadioSelect,
        required=False,
    )
    audience = forms.ChoiceField(
        label=_("Audience (recommendations)"),
        choices=[("", _("Not set")), *Audience.choices],
        widget=forms.RadioSelect,
        required=False,
    )
    speaker = forms.ModelChoiceField(
        label=_("Speaker"),
        queryset=Participant.objects.none(),
        required=False,
        empty_label=_("Anonymous"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    zone = forms.ModelChoiceField(
        label=_("Zone (anonymous)"),
        queryset=Zone.objects.none(),
        required=False,
        empty_label="—",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    gender = forms.ChoiceField(
        label=_("Gender (anonymous)"),
        choices=[("", "—"), *Gender.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    quotable = forms.BooleanField(label=_("The speaker agreed to be quoted"), required=False)
    client_id = SafeCharField(max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, session: BreakoutSession, **kwargs):
        kwargs.setdefault(
            "initial",
            {"category": session.default_category, "client_id": f"note-{uuid.uuid4()}"},
        )
        super().__init__(*args, **kwargs)
        self.fields["speaker"].queryset = session.participants.in_the_room().select_related(
            "region"
        )
        self.fields["speaker"].label_from_instance = participant_label
        self.fields["zone"].queryset = Zone.objects.filter(workshop_id=session.workshop_id)

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError(_("Type what was said."))
        return text

    def clean(self):
        data = super().clean()
        data["horizon"], data["audience"] = Contribution.kept_details(
            data.get("category"), data.get("horizon"), data.get("audience")
        )
        if data.get("speaker") is not None:
            data["zone"], data["gender"] = None, ""
        return data


# --- Moderation ------------------------------------------------------------------


class BulkModerationForm(forms.Form):
    PUBLISH, HIDE, MERGE, TAG, QUOTABLE = "publish", "hide", "merge", "tag", "quotable"
    ACCEPT = "accept"
    ACTIONS = [
        (PUBLISH, _("Publish")),
        (HIDE, _("Hide")),
        (MERGE, _("Merge (the earliest is kept)")),
        (TAG, _("Tag with themes")),
        (ACCEPT, _("Accept the first suggested theme (untagged ones)")),
        (QUOTABLE, _("Mark quotable")),
    ]
    ids = forms.ModelMultipleChoiceField(
        label=_("Contributions"), queryset=Contribution.objects.none()
    )
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"), queryset=Theme.objects.none(), required=False
    )
    new_theme = SafeCharField(label=_("New workshop theme"), max_length=120, required=False)
    # "Select all N matching": the board's filter query and session, applied again here.
    all_matching = forms.BooleanField(required=False)
    matching = forms.CharField(required=False, max_length=2000)
    session = forms.ModelChoiceField(queryset=BreakoutSession.objects.none(), required=False)

    def __init__(self, *args, workshop: Workshop, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        self.fields["ids"].queryset = workshop.contributions.all()
        self.fields["ids"].required = False
        self.fields["themes"].queryset = themes
        self.fields["session"].queryset = workshop.sessions.all()

    def clean(self):
        data = super().clean()
        if data.get("all_matching"):
            data["ids"] = self._matching(data)
        if "ids" in data and not data["ids"]:
            self.add_error("ids", _("Select at least one contribution."))
        action = data.get("action")
        selected = data.get("ids") or []
        if action == self.MERGE:
            try:
                moderation.check_merge(selected)
            except moderation.ModerationError as refused:
                raise ValidationError(str(refused)) from None
        if action == self.TAG and not data.get("themes") and not data.get("new_theme", "").strip():
            raise ValidationError(_("Pick at least one theme or name a new one."))
        return data

    def _matching(self, data):
        """Every contribution the board's filters match, on every page."""
        board = self.workshop.contributions.all()
        if data.get("session") is not None:
            board = board.filter(session=data["session"])
        filters = BoardFilter(
            QueryDict(data.get("matching") or ""),
            board,
            workshop=self.workshop,
            themes=self.fields["themes"].queryset,
        )
        return self.workshop.contributions.filter(pk__in=filters.qs.values("pk"))


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(ModerationStatus.PUBLISHED, ""), (ModerationStatus.HIDDEN, "")]
    )


class ContributionEditForm(forms.ModelForm):
    class Meta:
        model = Contribution
        formfield_callback = safe_formfield
        fields = ["text", "category", "horizon", "audience", "quotable"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def clean_quotable(self):
        quotable = self.cleaned_data["quotable"]
        if not self.instance.staff_may_set_quotable(quotable):
            raise ValidationError(moderation.QUOTE_REFUSED)
        return quotable

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError(_("The text cannot be empty."))
        if len(text) > settings.CONTRIBUTION_MAX_LENGTH:
            raise ValidationError(
                _("At most %(n)s characters.") % {"n": settings.CONTRIBUTION_MAX_LENGTH}
            )
        return text

    def clean(self):
        data = super().clean()
        data["horizon"], data["audience"] = Contribution.kept_details(
            data.get("category"), data.get("horizon"), data.get("audience")
        )
        return data


class SessionStatusForm(forms.Form):
    OPEN, CLOSE, OPEN_VOTING, CLOSE_VOTING = "open", "close", "open_voting", "close_voting"
    action = forms.ChoiceField(
        choices=[
            (OPEN, _("Open")),
            (CLOSE, _("Close")),
            (OPEN_VOTING, _("Open voting")),
            (CLOSE_VOTING, _("Close voting")),
        ]
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


class GroupMoveForm(forms.Form):
    """The grouped view's move of one contribution from one theme's group to another."""

    MOVE, ADD = "move", "add"
    contribution = forms.ModelChoiceField(
        label=_("Contribution"), queryset=Contribution.objects.none()
    )
    source = forms.ModelChoiceField(label=_("From"), queryset=Theme.objects.none(), required=False)
    target = forms.ModelChoiceField(
        label=_("To"),
        queryset=Theme.objects.none(),
        required=False,
        empty_label=_("Untagged"),
    )
    mode = forms.ChoiceField(
        label=_("Action"), choices=[(MOVE, _("Move")), (ADD, _("Add"))], initial=MOVE
    )

    def __init__(self, *args, workshop: Workshop, themes, **kwargs):
        super().__init__(*args, **kwargs)
        contributions = workshop.contributions.exclude(status=ModerationStatus.MERGED)
        self.fields["contribution"].queryset = contributions
        self.fields["source"].queryset = themes
        self.fields["target"].queryset = themes

    def clean(self):
        data = super().clean()
        if data.get("mode") == self.ADD and data.get("target") is None and not self.errors:
            raise ValidationError(_("Choose a theme to add; “Untagged” is not a theme."))
        return data
