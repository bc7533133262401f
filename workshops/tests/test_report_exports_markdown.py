"""The Markdown export: a .zip whose image references all resolve to chart files,
and a lone .md that refers to no missing image."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

import pytest

from workshops.analysis.rollup import build_rollup
from workshops.report import render
from workshops.services.report import build_draft
from workshops.tests.report_factories import make_mali_like_workshop

IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]+)\)")


@pytest.fixture
def mali(workshop, regions):
    make_mali_like_workshop(workshop, regions)
    return workshop


@pytest.mark.render
@pytest.mark.parametrize("language", ["en", "fr"])
def test_markdown_zip_holds_every_chart_it_refers_to(mali, language):
    draft = build_draft(workshop=mali, language=language)
    data = render.to_markdown_zip(draft, build_rollup(mali, language=language), name="report")
    archive = zipfile.ZipFile(BytesIO(data))
    names = set(archive.namelist())
    text = archive.read("report.md").decode()
    references = IMAGE.findall(text)
    assert len(references) == 5
    for alt, path in references:
        assert path in names and alt
        assert archive.read(path)[:8] == b"\x89PNG\r\n\x1a\n"
    assert names == {"report.md", *(path for _alt, path in references)}
    assert "{{chart:" not in text


def test_lone_markdown_refers_to_no_image(mali):
    draft = build_draft(workshop=mali, language="en")
    text = render.to_markdown(render.build(draft, build_rollup(mali, language="en")))
    assert not IMAGE.search(text)
    assert "*Table 1: Contributions by category*" in text
    assert "| Theme |" in text and "---:|" in text  # numbers right-aligned
