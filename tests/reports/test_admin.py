"""Staff see the record of exports and deletions, the feedback, and choose whether the wall is public."""

import pytest
from django.urls import reverse

from reports.models import DataRequestLog, WallSettings
from tests.factories import FeedbackFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_staff_see_exports_and_deletions_but_cannot_edit_them(client, staff_user):
    owner = MembershipFactory(role="owner").user
    DataRequestLog.objects.create(kind="export", company_id_ref=41, requested_by=owner, details={"bookings": 2})
    DataRequestLog.objects.create(kind="deletion", company_id_ref=42, details={"bookings": 3})
    client.force_login(staff_user)
    response = client.get(reverse("admin:reports_datarequestlog_changelist"))
    assert response.status_code == 200
    assert "Data export" in response.text and "Account deletion" in response.text
    assert client.get(reverse("admin:reports_datarequestlog_add")).status_code == 403


def test_staff_make_the_wall_public_in_the_admin(client, staff_user):
    client.force_login(staff_user)
    WallSettings.current()
    response = client.post(reverse("admin:reports_wallsettings_change", args=[1]), {"is_public": "on"})
    assert response.status_code == 302
    assert WallSettings.current().is_public
    client.logout()
    assert client.get(reverse("reports:wall")).status_code == 200


def test_staff_browse_feedback_in_the_admin(client, staff_user):
    FeedbackFactory(score=4, comment="Needs work")
    client.force_login(staff_user)
    assert client.get(reverse("admin:feedback_feedback_changelist")).status_code == 200
