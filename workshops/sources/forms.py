"""Forms of the sources pages: uploads, the survey mapping, interviews and coding."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workshops.choices import Audience, Category, Gender, Horizon, Language, OrganisationKind
from workshops.models import Contribution, Interview, Region, Theme, Workshop
from workshops.sources import kobo, xlsform
from workshops.validators import SafeCharField, safe_formfield


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Export file"))

    def __init__(self, *args, max_bytes: int = kobo.MAX_BYTES, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise ValidationError(
                _("The file is larger than %(size)d MB.")
                % {"size": self.max_bytes // (1024 * 1024)}
            )
        return upload


class SurveyUploadForm(UploadForm):
    file = forms.FileField(
        label=_("Survey export"),
        help_text=_("KoboToolbox CSV (semicolons) or XLSX, or ODK Central CSV. At most 20 MB."),
    )
    xlsform = forms.FileField(
        label=_("The survey's form (optional)"),
        required=False,
        help_text=_(
            "The XLSForm (.xlsx with “survey” and “choices” sheets) the survey was built from: "
            "its question types, labels and choice lists improve the guesses."
        ),
    )

    def clean_xlsform(self) -> bytes | None:
        upload = self.cleaned_data.get("xlsform")
        if not upload:
            return None
        if upload.size > self.max_bytes:
            raise ValidationError(
                _("The file is larger than %(size)d MB.")
                % {"size": self.max_bytes // (1024 * 1024)}
            )
        data = upload.read()
        try:
            xlsform.parse_xlsform(data)
        except xlsform.XLSFormError as error:
            raise ValidationError(str(error)) from None
        return data


def region_choices(workshop: Workshop):
    regions = Region.objects.filter(country_id=workshop.country_id)
    return [("", _("— leave without region —"))] + [
        (region.name, f"{region.name} ({_zone_label(workshop, region)})") for region in regions
    ]


def _zone_label(workshop: Workshop, region: Region) -> str:
    zone = workshop.zone_of(region)
    return zone.label() if zone is not None else "—"


class SurveyMappingForm(forms.Form):
    """Columns → category or ignore; the demographic columns; unknown region spellings."""

    region_column = forms.ChoiceField(label=_("Region column"), required=False)
    gender_column = forms.ChoiceField(label=_("Gender column"), required=False)
    organisation_column = forms.ChoiceField(label=_("Organisation type column"), required=False)
    language = forms.ChoiceField(label=_("Language of the answers"), choices=Language.choices)

    def __init__(
        self,
        *args,
        survey: kobo.Survey,
        workshop: Workshop,
        initial_mapping: kobo.Mapping,
        unknown_values: list[str],
        **kwargs,
    ):
        self.survey = survey
        self.guess = initial_mapping
        self.answer_keys = [c.key for c in survey.columns if not kobo.is_meta(c)]
        mapping: kobo.Mapping = initial_mapping
        initial = {
            "region_column": mapping.region,
            "gender_column": mapping.gender,
            "organisation_column": mapping.organisation_kind,
            "language": mapping.language,
        }
        super().__init__(*args, initial=initial, **kwargs)
        none = [("", _("— none —"))]
        keys = [(key, key) for key in self.answer_keys]
        for name in ("region_column", "gender_column", "organisation_column"):
            self.fields[name].choices = none + keys
        category_choices = [
            (kobo.IGNORE, pgettext_lazy("import column", "Ignore")),
            *list(Category.choices),
        ]
        self.column_fields = []
        for index, key in enumerate(self.answer_keys):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=key,
                choices=category_choices,
                initial=mapping.columns.get(key, kobo.IGNORE),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.column_fields.append(name)
            # Read from the column's name when it says (drivers/long_term); the user may
            # set or correct it here, and it is remembered with the mapping.
            self.fields[f"horizon_{index}"] = forms.ChoiceField(
                label=_("Horizon of %(column)s") % {"column": key},
                choices=[("", _("— no horizon —")), *Horizon.choices],
                initial=mapping.horizons.get(key, ""),
                required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"audience_{index}"] = forms.ChoiceField(
                label=_("Audience of %(column)s") % {"column": key},
                choices=[("", _("— no audience —")), *Audience.choices],
                initial=mapping.audiences.get(key, ""),
                required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        self.region_fields = []
        choices = region_choices(workshop)
        for index, spelling in enumerate(unknown_values):
            name = f"region_value_{index}"
            self.fields[name] = forms.ChoiceField(label=spelling, choices=choices, required=False)
            self.region_fields.append((name, spelling))
        demographic = [k for k in (mapping.region, mapping.gender) if k]
        text = [k for k, v in mapping.columns.items() if v != kobo.IGNORE]
        self.preview_keys = (demographic + text)[:6]

    def column_rows(self):
        """Each answer column's fields (category, horizon, audience), an example value from
        the file and why it was guessed."""
        rows = []
        for index, key in enumerate(self.answer_keys):
            example = next((value for value in self.survey.values_of(key) if value), "")
            rows.append(
                (
                    self[f"column_{index}"],
                    self[f"horizon_{index}"],
                    self[f"audience_{index}"],
                    kobo.short(example, 60),
                    self.guess.reasons.get(key, ""),
                )
            )
        return rows

    def region_rows(self):
        return [self[name] for name, _spelling in self.region_fields]

    def clean(self):
        cleaned = super().clean()
        demographic = {
            cleaned.get("region_column"),
            cleaned.get("gender_column"),
            cleaned.get("organisation_column"),
        } - {"", None}
        for index, key in enumerate(self.answer_keys):
            if key in demographic and cleaned.get(f"column_{index}") not in (None, kobo.IGNORE):
                self.add_error(
                    f"column_{index}",
                    _("This column is used for demographics; set it to Ignore."),
                )
            category = cleaned.get(f"column_{index}")
            if cleaned.get(f"horizon_{index}") and category != Category.DRIVER:
                self.add_error(f"horizon_{index}", _("Only drivers have a horizon."))
            if cleaned.get(f"audience_{index}") and category != Category.RECOMMENDATION:
                self.add_error(f"audience_{index}", _("Only recommendations have an audience."))
        if not any(cleaned.get(name) not in (None, kobo.IGNORE) for name in self.column_fields):
            raise ValidationError(
                _("Choose at least one column of free-text answers to import."), code="empty"
            )
        return cleaned

    def mapping(self) -> kobo.Mapping:
        data = self.cleaned_data
        return kobo.Mapping(
            columns={
                key: data[f"column_{index}"]
                for index, key in enumerate(self.answer_keys)
                if data[f"column_{index}"] != kobo.IGNORE
            },
            region=data["region_column"],
            gender=data["gender_column"],
            organisation_kind=data["organisation_column"],
            region_values={
                spelling: data[name] for name, spelling in self.region_fields if data.get(name)
            },
            language=data["language"],
            horizons={
                key: data[f"horizon_{index}"]
                for index, key in enumerate(self.answer_keys)
                if data.get(f"horizon_{index}")
            },
            audiences={
                key: data[f"audience_{index}"]
                for index, key in enumerate(self.answer_keys)
                if data.get(f"audience_{index}")
            },
        )


class AcledUploadForm(UploadForm):
    file = forms.FileField(
        label=_("ACLED export (CSV)"),
        help_text=_("Your own export from the ACLED data portal. At most 20 MB."),
    )


class RegionAliasForm(forms.Form):
    alias = SafeCharField(label=_("Spelling used by a source"), max_length=100)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none())

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(country_id=workshop.country_id)


class InterviewForm(forms.ModelForm):
    pseudonym = SafeCharField(
        label=_("Pseudonym"), max_length=80, help_text=_("Never the person's real name.")
    )
    interviewer = SafeCharField(label=_("Interviewer"), max_length=120, required=False)
    notes = SafeCharField(
        label=_("Notes"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Type or paste the interview notes."),
    )

    class Meta:
        model = Interview
        formfield_callback = safe_formfield
        fields = [
            "date",
            "pseudonym",
            "region",
            "gender",
            "organisation_kind",
            "interviewer",
            "consent_noted",
            "notes",
        ]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(country_id=workshop.country_id)
        self.fields["gender"].choices = [("", "—"), *Gender.choices]
        self.fields["organisation_kind"].choices = [("", "—"), *OrganisationKind.choices]


class CodePassageForm(forms.Form):
    """A highlighted passage of interview notes, coded as a contribution."""

    passage = SafeCharField(
        label=_("Passage"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Select text in the notes (it is copied here), or paste the passage."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    horizon = forms.ChoiceField(
        label=_("Driver horizon"), choices=[("", "—"), *Horizon.choices], required=False
    )
    audience = forms.ChoiceField(
        label=_("Audience"), choices=[("", "—"), *Audience.choices], required=False
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    quotable = forms.BooleanField(label=_("May be quoted anonymously"), required=False)

    def __init__(self, *args, workshop: Workshop, interview: Interview, **kwargs):
        super().__init__(*args, **kwargs)
        self.interview = interview
        self.fields["themes"].queryset = Theme.objects.for_workshop(workshop)

    def clean(self):
        cleaned = super().clean()
        category = cleaned.get("category")
        errors = Contribution.detail_errors(
            category, cleaned.get("horizon"), cleaned.get("audience")
        )
        for field, message in errors.items():
            self.add_error(field, message)
        passage = (cleaned.get("passage") or "").strip()
        if passage and not self.interview.consent_noted:
            raise ValidationError(
                _("Note the interviewee's consent before coding passages of the interview.")
            )
        if passage:
            cleaned["passage"] = passage
        return cleaned
