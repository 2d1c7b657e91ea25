"""Consultant photos through the profile edit page: judged by their content (Pillow), not their name or type;
bounded in bytes and pixels; re-encoded; stored under a random name."""

import os
import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from consultants.models import Consultant
from tests.factories import ConsultantFactory

URL = "/me/consultant/profile/"


@pytest.fixture
def consultant(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return ConsultantFactory(display_name="Pia Photo", slug="pia-photo")


def _png(size=(40, 30), noise=False) -> bytes:
    if noise:
        img = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        img = Image.new("RGB", size, (200, 40, 40))
    out = BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _post(client, consultant, upload):
    client.force_login(consultant.user)
    return client.post(URL, {"display_name": consultant.display_name, "time_zone": "Europe/Stockholm",
                             "photo": upload})


def _photo_error(response) -> bool:
    return response.status_code in (200, 400) and "photo" in response.context["form"].errors


def test_a_text_file_named_jpg_is_refused_with_a_field_error(client, consultant):
    fake = SimpleUploadedFile("me.jpg", b"<html><script>alert(1)</script></html>" * 10, content_type="image/jpeg")
    response = _post(client, consultant, fake)
    assert _photo_error(response)
    consultant.refresh_from_db()
    assert not consultant.photo


def test_an_svg_with_a_script_is_refused_even_when_named_png(client, consultant):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = _post(client, consultant, SimpleUploadedFile("me.png", svg, content_type="image/png"))
    assert _photo_error(response)


def test_a_3_mb_image_is_refused(client, consultant):
    big = _png(size=(1100, 1000), noise=True)
    assert len(big) > 3 * 1024 * 1024
    response = _post(client, consultant, SimpleUploadedFile("big.png", big, content_type="image/png"))
    assert _photo_error(response)
    consultant.refresh_from_db()
    assert not consultant.photo


def test_a_decompression_bomb_is_refused(client, consultant):
    bomb = Image.new("1", (20000, 20000))  # a tiny file that would be 400 megapixels in memory
    out = BytesIO()
    bomb.save(out, "PNG")
    assert len(out.getvalue()) < 2 * 1024 * 1024
    response = _post(client, consultant, SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png"))
    assert _photo_error(response)


def test_a_real_small_png_is_stored_reencoded_under_a_random_hex_name(client, consultant, tmp_path):
    upload = SimpleUploadedFile("Pia Private Holiday 2026.png", _png(), content_type="image/png")
    response = _post(client, consultant, upload)
    assert response.status_code == 302
    consultant = Consultant.objects.get(pk=consultant.pk)
    name = consultant.photo.name
    assert re.fullmatch(r"consultants/[0-9a-f]{32}\.jpg", name), name
    assert "Holiday" not in name and "Pia" not in name
    stored = tmp_path / name
    with Image.open(stored) as img:
        assert img.format == "JPEG"  # re-encoded: whatever rode along in the PNG is gone


def test_two_uploads_of_the_same_file_get_different_names(client, consultant):
    names = set()
    for _ in range(2):
        assert _post(client, consultant, SimpleUploadedFile("same.png", _png(), content_type="image/png")) \
            .status_code == 302
        names.add(Consultant.objects.get(pk=consultant.pk).photo.name)
    assert len(names) == 2
