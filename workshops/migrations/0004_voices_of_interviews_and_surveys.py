"""Each interview has its voice (the interviewee), and every contribution from an
interview or a survey is its voice's.

Stored before voices existed, coded passages and survey answers had no author and
each counted as one person. This gives every interview one interviewee and every
survey submission (the uuid in the answers' client ids, ``kobo:<uuid>:<column>``)
one respondent, with the demographics the contributions carry; the kind of
organisation of a respondent was not stored, so it stays blank.
"""

import django.db.models.deletion
from django.db import migrations, models

INTERVIEWEE = "interviewee"
RESPONDENT = "respondent"


def add_voices(apps, schema_editor):
    Interview = apps.get_model("workshops", "Interview")
    Participant = apps.get_model("workshops", "Participant")
    Contribution = apps.get_model("workshops", "Contribution")
    for interview in Interview.objects.filter(voice__isnull=True).iterator():
        interview.voice = Participant.objects.create(
            workshop_id=interview.workshop_id,
            kind=INTERVIEWEE,
            region_id=interview.region_id,
            gender=interview.gender,
            organisation_kind=interview.organisation_kind,
        )
        interview.save(update_fields=["voice"])
        Contribution.objects.filter(interview=interview, author__isnull=True).update(
            author=interview.voice
        )
    answers = Contribution.objects.filter(
        source="survey", author__isnull=True, client_id__startswith="kobo:"
    ).order_by("workshop_id", "created_at", "pk")
    voices = {}
    for answer in answers.iterator():
        uuid = answer.client_id.split(":")[1][:100]
        key = (answer.workshop_id, uuid)
        if key not in voices:
            voices[key], _created = Participant.objects.get_or_create(
                workshop_id=answer.workshop_id,
                external_id=uuid,
                defaults={
                    "kind": RESPONDENT,
                    "region_id": answer.region_id,
                    "gender": answer.gender,
                },
            )
        Contribution.objects.filter(pk=answer.pk).update(author=voices[key])


class Migration(migrations.Migration):

    dependencies = [
        ('workshops', '0003_participant_kinds_of_voice'),
    ]

    operations = [
        migrations.AddField(
            model_name='interview',
            name='voice',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='interview', to='workshops.participant', verbose_name='voice'),
        ),
        migrations.RunPython(add_voices, migrations.RunPython.noop),
    ]
