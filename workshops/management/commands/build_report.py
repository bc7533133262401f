"""Build a workshop's report draft and write it to a file.

python manage.py build_report <slug> --format docx|pdf|md|html --language fr|en -o FILE
    --purpose "why"

It reads the workshop's contributions one by one to count them, so it is recorded in
the data access log like any row-level read.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workshops.analysis.rollup import build_rollup
from workshops.management.purpose import add_purpose_argument, record_command
from workshops.models import Workshop
from workshops.models.report import ExportKind, ReportLanguage
from workshops.report import render
from workshops.services.report import build_draft

FORMATS = {
    "docx": render.to_docx,
    "pdf": render.to_pdf,
    "md": lambda draft, rollup: render.to_markdown(draft).encode(),
    "html": lambda draft, rollup: render.to_html(draft, rollup).encode(),
}


class Command(BaseCommand):
    help = "Build (or refresh) the report draft of a workshop and export it."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", choices=sorted(FORMATS), default="md")
        parser.add_argument("--language", choices=ReportLanguage.values, default="fr")
        parser.add_argument("-o", "--output", required=True, help="File to write ('-' for stdout)")
        add_purpose_argument(parser)

    def handle(self, *args, slug, format, language, output, purpose, **options):
        workshop = Workshop.objects.filter(slug=slug).first()
        if workshop is None:
            raise CommandError(f"No workshop with the slug {slug!r}.")
        record_command(
            workshop=workshop,
            kind=ExportKind.BUILD_REPORT,
            purpose=purpose,
            format=format,
            language=language,
        )
        draft = build_draft(workshop=workshop, language=language)
        rollup = build_rollup(workshop, language=language, sources=draft.sources)
        data = FORMATS[format](draft, rollup)
        if output == "-":
            self.stdout.write(data.decode() if format in ("md", "html") else repr(len(data)))
            return
        Path(output).write_bytes(data)
        self.stdout.write(f"Wrote {output} ({len(data)} bytes).")
