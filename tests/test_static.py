"""Vendored front-end files: intact, versioned, and nothing a page loads comes from outside."""

import hashlib
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "safestar" / "static"
TEMPLATES = ROOT / "safestar" / "templates"


@pytest.mark.parametrize("folder", sorted(p for p in (STATIC / "vendor").iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_vendored_files_match_their_checksums(folder):
    assert re.fullmatch(r"[a-z]+-\d+\.\d+\.\d+", folder.name), "vendor folders are NAME-VERSION"
    sums = (folder / "SHA256SUMS").read_text().split("\n")
    listed = {}
    for line in filter(None, sums):
        digest, name = line.split()
        listed[name] = digest
    assert listed, "no files listed"
    for name, digest in listed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


def test_no_template_refers_to_an_external_url():
    pattern = re.compile(r"""(src|href|action)=["'](https?:)?//""")
    offenders = [str(p) for p in TEMPLATES.rglob("*.html") if pattern.search(p.read_text())]
    assert offenders == []


def test_no_vendored_file_loads_a_source_map_or_remote_resource():
    for path in (STATIC / "vendor").rglob("*.*"):
        if path.suffix in {".js", ".css"}:
            text = path.read_text(errors="ignore")
            assert "sourceMappingURL" not in text, path
            assert not re.search(r"@import\s+url\(\s*['\"]?https?:", text), path


def test_collectstatic_succeeds_with_the_production_storage(tmp_path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/bootstrap-5.3.9/bootstrap.min.*.css"))
