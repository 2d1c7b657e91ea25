"""Editing the public profile, including the photo."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from consultants.models import ConsultantExpertise, ConsultantLanguage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def image_file(fmt="PNG", size=(40, 30), name="me.png"):
    buf = BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buf, fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def form(**extra):
    return {"display_name": "Anna L.", "headline": "CX lead", "bio": "Hello", "city": "Malmö",
            "time_zone": "Europe/Stockholm", "expertise": ["nps", "complaints"], "languages": ["sv", "en"],
            "is_public": "on", **extra}


def test_a_consultant_edits_their_profile_expertise_and_languages(consultant_client, consultant):
    response = consultant_client.post("/me/consultant/profile/", form())
    assert response.status_code == 302
    consultant.refresh_from_db()
    assert (consultant.display_name, consultant.city, consultant.is_public) == ("Anna L.", "Malmö", True)
    assert sorted(ConsultantExpertise.objects.values_list("area", flat=True)) == ["complaints", "nps"]
    assert sorted(ConsultantLanguage.objects.values_list("language", flat=True)) == ["en", "sv"]
    consultant_client.post("/me/consultant/profile/", form(expertise=["nps"], languages=["da"]))
    assert list(ConsultantExpertise.objects.values_list("area", flat=True)) == ["nps"]
    assert list(ConsultantLanguage.objects.values_list("language", flat=True)) == ["da"]
    public = consultant_client.get(f"/consultants/{consultant.slug}/").content.decode()
    assert "Net Promoter Score" in public and "Danish" in public


def test_a_photo_is_checked_reencoded_and_stored_under_a_random_name(consultant_client, consultant, tmp_path):
    consultant_client.post("/me/consultant/profile/", form(photo=image_file(name="../../etc/passwd.png")))
    consultant.refresh_from_db()
    name = consultant.photo.name
    assert name.startswith("consultants/") and name.endswith(".jpg") and "passwd" not in name
    with Image.open(tmp_path / name) as img:
        assert img.format == "JPEG"


def test_a_file_that_is_not_an_image_is_refused(consultant_client, consultant):
    fake = SimpleUploadedFile("me.png", b"<?php echo 'hi'; ?>" * 10, content_type="image/png")
    response = consultant_client.post("/me/consultant/profile/", form(photo=fake))
    assert response.status_code == 400
    assert "not an image we can read" in response.content.decode()
    consultant.refresh_from_db()
    assert not consultant.photo


def test_an_image_over_2_mb_is_refused(consultant_client, consultant):
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024), content_type="image/png")
    response = consultant_client.post("/me/consultant/profile/", form(photo=big))
    assert response.status_code == 400
    assert "at most 2 MB" in response.content.decode()


def test_a_gif_is_refused_even_though_it_is_an_image(consultant_client):
    response = consultant_client.post("/me/consultant/profile/", form(photo=image_file("GIF", name="a.gif")))
    assert response.status_code == 400
    assert "JPEG, PNG or WebP" in response.content.decode()


def test_an_unknown_time_zone_is_refused(consultant_client, consultant):
    response = consultant_client.post("/me/consultant/profile/", form(time_zone="Mars/Olympus"))
    assert response.status_code == 400
    consultant.refresh_from_db()
    assert consultant.time_zone == "Europe/Stockholm"


def test_saving_the_profile_does_not_undo_a_claim_or_token_made_meanwhile(consultant):
    from datetime import date

    from consultants.models import Consultant
    from consultants.services import consultant_update_profile

    stale = Consultant.objects.get(pk=consultant.pk)
    Consultant.objects.filter(pk=consultant.pk).update(last_published_month=date(2027, 3, 1), feed_token_hash="f" * 64)
    consultant_update_profile(consultant=stale, display_name="New", headline="", bio="", city="",
                              time_zone="Europe/Stockholm", is_public=True, expertise=[], languages=[])
    consultant.refresh_from_db()
    assert (consultant.display_name, consultant.last_published_month, consultant.feed_token_hash) == (
        "New", date(2027, 3, 1), "f" * 64)
