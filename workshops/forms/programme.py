"""The programme view's choice of two workshops to compare."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PairForm(forms.Form):
    """The two workshops whose findings are compared (GET: the page works without them)."""

    first = forms.ChoiceField(label=_("Earlier workshop"))
    later = forms.ChoiceField(label=_("Later workshop"))

    def __init__(self, *args, workshops, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(w.slug, f"{w.title} ({w.start_date.year})") for w in workshops]
        self.fields["first"].choices = choices
        self.fields["later"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("first") == data.get("later"):
            raise forms.ValidationError(_("Choose two different workshops."))
        return data
