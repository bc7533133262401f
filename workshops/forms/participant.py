"""Forms of the participant pages: join, profile, contribute, edit, vote.

Text typed on a phone is stored as typed, except for the characters that can never
be stored (``workshops/validators.py``): they are refused with one clear message,
and the text re-shown to the person is made printable so that the page never fails.
"""

from __future__ import annotations

import re
import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workshops.choices import Audience, Category, Gender, Horizon
from workshops.models import Contribution, Organisation, Region, normalise_join_code
from workshops.services.participants import VoteRefused, check_votes
from workshops.validators import SafeCharField

CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,100}$")
OTHER = "other"


def new_client_id() -> str:
    return uuid.uuid4().hex


class JoinForm(forms.Form):
    code = SafeCharField(label=_("Workshop code"), max_length=20)

    def clean_code(self) -> str:
        return normalise_join_code(self.cleaned_data["code"])


CONSENT_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,100}$")


class ConsentForm(forms.Form):
    """ "I agree": a hidden one-time key, made when the page is drawn, so that a retried
    answer (the first reply lost on a bad network) finds the participant it created."""

    consent_key = forms.CharField(widget=forms.HiddenInput, required=False)
    out_of_date = _("This page was out of date. Press “I agree, continue” again.")

    def clean_consent_key(self) -> str:
        key = self.cleaned_data["consent_key"] or ""
        if not CONSENT_KEY_PATTERN.match(key):
            raise forms.ValidationError(self.out_of_date)
        return key


class StoredChoices(forms.models.ModelChoiceIterator):
    """Choices from the queryset itself: a page that has evaluated it does not ask twice."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class OrganisationChoices(StoredChoices):
    def __iter__(self):
        yield from super().__iter__()
        yield (OTHER, pgettext_lazy("organisation", "Another organisation"))


class OrganisationField(forms.ModelChoiceField):
    """The workshop's organisations, and "another organisation" (the value ``OTHER``)."""

    iterator = OrganisationChoices

    def to_python(self, value):
        return OTHER if value == OTHER else super().to_python(value)


class ProfileForm(forms.Form):
    """Everything is optional: a participant may leave every field empty."""

    display_name = SafeCharField(
        label=_("Name (optional)"),
        max_length=80,
        required=False,
        help_text=_("Leave empty to stay anonymous. Your name is never shown next to your ideas."),
    )
    organisation = OrganisationField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=pgettext_lazy("no answer", "—"),
    )
    region = forms.ModelChoiceField(
        label=_("Region where you work"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=pgettext_lazy("no answer", "—"),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        required=False,
        choices=[("", pgettext_lazy("no answer", "—")), *Gender.choices],
    )

    def __init__(self, *args, organisations, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].label_from_instance = lambda o: o.name
        self.fields["region"].queryset = regions
        self.fields["region"].label_from_instance = lambda r: r.name


# Choices as callables: a form copies its fields for every instance, and a callable is
# copied by reference where a list of translated labels is copied item by item.
def _horizons() -> list[tuple[str, str]]:
    return [*Horizon.choices, ("", _("I am not sure"))]


def _audiences() -> list[tuple[str, str]]:
    return [*Audience.choices, ("", _("I am not sure"))]


class ContributionFields(forms.Form):
    """What a participant writes: shared by the contribute and the edit forms."""

    text = SafeCharField(
        label=_("Your contribution"),
        max_length=settings.CONTRIBUTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write something before sending.")},
    )
    horizon = forms.ChoiceField(
        label=_("Is this driver long-term or dynamic?"),
        required=False,
        widget=forms.RadioSelect,
        choices=_horizons,
    )
    audience = forms.ChoiceField(
        label=_("Who should act on this recommendation?"),
        required=False,
        widget=forms.RadioSelect,
        choices=_audiences,
    )
    quotable = forms.BooleanField(label=_("My words may be quoted anonymously"), required=False)


class ContributeForm(ContributionFields):
    client_id = SafeCharField(widget=forms.HiddenInput, max_length=100)
    category = forms.ChoiceField(label=_("What is it?"))

    field_order = ["client_id", "category", "text", "horizon", "audience", "quotable"]

    def __init__(self, *args, session, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("client_id", new_client_id())
        kwargs["initial"].setdefault("category", session.default_category)
        super().__init__(*args, **kwargs)
        focus = [c for c in Category.values if c in (session.focus or [])] or Category.values
        self.fields["category"].choices = [(c, Category(c).label) for c in focus]
        self.single_category = len(focus) == 1
        if self.single_category:
            self.fields["category"].widget = forms.HiddenInput()
        self.asks_horizon = Category.DRIVER in focus
        self.asks_audience = Category.RECOMMENDATION in focus

    def clean_client_id(self) -> str:
        value = self.cleaned_data["client_id"]
        if not CLIENT_ID_PATTERN.match(value):
            raise forms.ValidationError(_("This form is damaged. Reload the page and try again."))
        return value


class EditContributionForm(ContributionFields):
    def __init__(self, *args, contribution: Contribution, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "text": contribution.text,
                "horizon": contribution.horizon,
                "audience": contribution.audience,
                "quotable": contribution.quotable,
            },
        )
        super().__init__(*args, **kwargs)
        self.asks_horizon = Contribution.takes_horizon(contribution.category)
        self.asks_audience = Contribution.takes_audience(contribution.category)
        if not self.asks_horizon:
            del self.fields["horizon"]
        if not self.asks_audience:
            del self.fields["audience"]


class VoteForm(forms.Form):
    choices = forms.ModelMultipleChoiceField(
        label=_("Your choices"),
        queryset=Contribution.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, contributions, session, dots: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.session, self.dots = session, dots
        field = self.fields["choices"]
        field.iterator = StoredChoices  # before the queryset: the widget takes its choices then
        field.queryset = contributions
        field.label_from_instance = lambda c: c.text

    @property
    def contributions(self):
        """What may be voted on (the page shows it; the choices reuse it)."""
        return self.fields["choices"].queryset

    def clean_choices(self) -> list[Contribution]:
        picked = list(self.cleaned_data["choices"])
        try:
            check_votes(session=self.session, count=len(picked), dots=self.dots)
        except VoteRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return picked
