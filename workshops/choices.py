"""Kinds and states of the workshop domain, with translated labels."""

import unicodedata

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrganisationKind(models.TextChoices):
    GRASSROOTS = "grassroots", _("Grassroots civil society organisation")
    WOMEN_LED = "women_led", _("Women-led organisation")
    YOUTH_LED = "youth_led", _("Youth-led organisation")
    FAITH_BASED = "faith_based", _("Faith-based organisation")
    NETWORK = "network", _("Network")
    GOVERNMENT = "government", _("Government")
    INTERNATIONAL = "international", _("International organisation")
    OTHER = "other", pgettext_lazy("organisation kind", "Other")


class WorkshopStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("workshop status", "Draft")
    LIVE = "live", pgettext_lazy("workshop status", "Live")
    CLOSED = "closed", pgettext_lazy("workshop status", "Closed")


class StaffRole(models.TextChoices):
    """Roles of staff in a workshop, from the most to the least powerful."""

    ORGANISER = "organiser", _("Organiser")
    FACILITATOR = "facilitator", _("Facilitator")
    NOTE_TAKER = "note_taker", _("Note-taker")
    VIEWER = "viewer", _("Viewer")

    @classmethod
    def rank(cls, role: str) -> int:
        order = [cls.VIEWER, cls.NOTE_TAKER, cls.FACILITATOR, cls.ORGANISER]
        return order.index(role) if role in order else -1


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    ANOTHER = "another", _("Another gender")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")

    @classmethod
    def parse(cls, value: str) -> str:
        """The gender a French or English word names ("femme", "Man", "F", "féminin"), or "".

        The one place genders are read from text: pasted lists and survey imports.
        Case, accents and surrounding spaces are ignored.
        """
        key = _fold(value)
        for gender, words in GENDER_WORDS.items():
            if key in words or key == _fold(str(gender.label)):
                return gender
        return ""


def _fold(value: str) -> str:
    """Lower case without accents, spaces collapsed: "  Féminin " -> "feminin"."""
    decomposed = unicodedata.normalize("NFKD", str(value).casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("_", " ").split())


# Words (already folded by ``_fold``) for each gender, French and English, with common variants.
GENDER_WORDS = {
    Gender.WOMAN: {"woman", "women", "female", "f", "w", "femme", "femmes", "feminin", "feminine"},
    Gender.MAN: {"man", "men", "male", "m", "h", "homme", "hommes", "masculin", "masculine"},
    Gender.ANOTHER: {
        "another",
        "other",
        "another gender",
        "autre",
        "autre genre",
        "non binaire",
        "non-binaire",
        "non-binary",
        "nonbinary",
    },
    Gender.UNDISCLOSED: {
        "undisclosed",
        "prefer not",
        "prefer not to say",
        "nsp",
        "ne souhaite pas",
        "ne souhaite pas le dire",
        "prefere ne pas le dire",
        "ne se prononce pas",
    },
}


class VoiceKind(models.TextChoices):
    """Who a voice is: everyone whose words are counted as one person."""

    PARTICIPANT = "participant", _("Workshop participant")
    RESPONDENT = "respondent", _("Survey respondent")
    INTERVIEWEE = "interviewee", _("Interviewee")


class SessionKind(models.TextChoices):
    PLENARY = "plenary", _("Plenary")
    BREAKOUT = "breakout", _("Breakout group")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("session status", "Planned")
    OPEN = "open", pgettext_lazy("session status", "Open")
    VOTING = "voting", pgettext_lazy("session status", "Voting")
    CLOSED = "closed", pgettext_lazy("session status", "Closed")


class Category(models.TextChoices):
    DRIVER = "driver", _("Driver of conflict")
    STRENGTH = "strength", _("Strength")
    CHALLENGE = "challenge", _("Challenge")
    OPPORTUNITY = "opportunity", _("Opportunity")
    RECOMMENDATION = "recommendation", _("Recommendation")
    OBSERVATION = "observation", _("Observation")


class Horizon(models.TextChoices):
    LONG_TERM = "long_term", _("Long-term")
    DYNAMIC = "dynamic", _("Dynamic")


class Audience(models.TextChoices):
    NATIONAL = "national", _("National actors")
    INTERNATIONAL = "international", _("International actors")
    COMMUNITIES = "communities", _("Communities")


class Source(models.TextChoices):
    NOTE = "note", _("Breakout note")
    PHONE = "phone", _("Phone")
    SURVEY = "survey", _("Survey")
    INTERVIEW = "interview", _("Interview")
    IMPORT = "import", pgettext_lazy("contribution source", "Import")


class ModerationStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("moderation status", "Pending")
    PUBLISHED = "published", pgettext_lazy("moderation status", "Published")
    HIDDEN = "hidden", pgettext_lazy("moderation status", "Hidden")
    MERGED = "merged", pgettext_lazy("moderation status", "Merged")


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    OTHER = "other", pgettext_lazy("language", "Other")
