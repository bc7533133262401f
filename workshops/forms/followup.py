"""Forms of the follow-up pages: tracking a recommendation, a dated update with evidence."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workshops.forms.facilitator import DateInput
from workshops.models import Addressee, FollowUpStatus
from workshops.models.followup import MAX_EVIDENCE_LINKS, validate_evidence_links
from workshops.validators import SafeCharField

MAX_UPDATE_LENGTH = 4000


class FollowedByField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_username()


class FollowUpForm(forms.Form):
    addressee = forms.ChoiceField(
        label=_("Addressed to"),
        choices=[("", _("Not decided yet")), *Addressee.choices],
        required=False,
    )
    followed_by = FollowedByField(
        label=_("Followed by"),
        queryset=None,
        required=False,
        empty_label=_("No one yet"),
        help_text=_("Someone of the network's staff. Never shown on the shared page."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=FollowUpStatus.choices)

    def __init__(self, *args, editors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["followed_by"].queryset = editors


class UpdateForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    text = SafeCharField(
        label=_("What happened"),
        max_length=MAX_UPDATE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the shared page: write no one's name."),
    )
    evidence = SafeCharField(
        label=_("Evidence links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = _(
            "One web address a line (https://…), at most %(n)d."
        ) % {"n": MAX_EVIDENCE_LINKS}

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return date

    def clean_evidence(self) -> list[str]:
        links = []
        for line in self.cleaned_data["evidence"].splitlines():
            link = line.strip()
            if link and link not in links:
                links.append(link)
        validate_evidence_links(links)
        return links
