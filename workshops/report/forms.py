"""Forms of the roll-up and the report draft."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workshops.choices import Source
from workshops.models.report import PURPOSE_MAX_LENGTH, ReportLanguage
from workshops.validators import SafeCharField

MAX_SECTION_LENGTH = 20_000


class SourceFilterForm(forms.Form):
    sources = forms.MultipleChoiceField(
        label=_("Sources"),
        choices=Source.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )


class ScopeForm(forms.Form):
    """Whose tables the roll-up reads: all voices, or one source with tables of its own."""

    scope = forms.ChoiceField(
        label=_("People heard"),
        choices=[
            ("all", _("All voices")),
            ("workshop", _("Workshop participants")),
            ("survey", _("Survey respondents")),
            ("interview", _("Interviewees")),
        ],
        required=False,
    )

    def chosen(self) -> str:
        return (self.cleaned_data.get("scope") or "all") if self.is_valid() else "all"


class PurposeForm(forms.Form):
    """Why someone reads row-level data: required, kept in the data access log."""

    purpose = SafeCharField(
        label=_("Purpose"),
        max_length=PURPOSE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Recorded in the data access log with your name and the time, e.g. "
            "“checking the Gao notes before the validation meeting”."
        ),
    )


class RowExportForm(PurposeForm):
    """One row per contribution, as CSV or XLSX, for the sources chosen."""

    ROW_FORMATS = (("csv", "CSV"), ("xlsx", "XLSX"))

    fmt = forms.ChoiceField(
        label=_("Format"), choices=ROW_FORMATS, initial="xlsx", widget=forms.RadioSelect
    )
    sources = SourceFilterForm.base_fields["sources"]

    field_order = ["fmt", "sources", "purpose"]


class CreateDraftForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the report"), choices=ReportLanguage.choices)
    sources = forms.MultipleChoiceField(
        label=_("Sources to count"),
        choices=Source.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Leave empty to count every source."),
    )


class SectionForm(forms.Form):
    body = SafeCharField(
        label=_("Text (Markdown)"),
        required=False,
        strip=False,
        max_length=MAX_SECTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 18, "class": "font-monospace"}),
        help_text=_(
            "Markdown: **bold**, - lists, > quotes, | tables |. "
            "A line {{chart:zones}} places a chart."
        ),
    )

    def clean_body(self) -> str:
        return self.cleaned_data["body"].replace("\r\n", "\n")
