"""The NPS survey: scheduling and sending once, the private link, one answer per booking, the edit window."""

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from feedback.models import Feedback
from feedback.services import FeedbackError, feedback_answer, feedback_request_schedule, feedback_send_due
from tests.factories import FeedbackFactory, HeldBookingFactory, PipelineEventFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2030, 3, 10, 12, 0, tzinfo=dt.UTC)


def _url(feedback) -> str:
    return reverse("booking:feedback", args=[feedback.token])


def _held(at: dt.datetime, **kwargs):
    booking = HeldBookingFactory(**kwargs)
    event = PipelineEventFactory(booking=booking, kind="held", actor=booking.consultant.user)
    type(event).objects.filter(pk=event.pk).update(created_at=at)
    return booking


# --- the survey page --------------------------------------------------------------------------------
def test_opening_the_link_shows_the_question_and_records_nothing(client):
    feedback = FeedbackFactory()
    response = client.get(_url(feedback))
    assert response.status_code == 200
    name = feedback.booking.consultant.display_name
    assert f"How likely are you to recommend {name} to a colleague?" in response.text
    assert response.text.count('type="radio"') == 11
    feedback.refresh_from_db()
    assert feedback.score is None and feedback.answered_at is None


def test_posting_a_score_records_the_answer(client):
    feedback = FeedbackFactory()
    response = client.post(_url(feedback), {"score": "10", "comment": "Sharp and kind.", "show_company": "on"},
                           follow=True)
    assert "Thank you! Your answer is saved." in response.text
    feedback.refresh_from_db()
    assert (feedback.score, feedback.comment, feedback.show_company) == (10, "Sharp and kind.", True)
    assert feedback.answered_at is not None


def test_a_post_without_a_score_shows_an_error_and_records_nothing(client):
    feedback = FeedbackFactory()
    response = client.post(_url(feedback), {"comment": "hmm"})
    assert response.status_code == 400
    assert "Choose a score from 0 to 10." in response.text
    feedback.refresh_from_db()
    assert feedback.answered_at is None


def test_a_score_outside_0_to_10_is_refused(client):
    feedback = FeedbackFactory()
    assert client.post(_url(feedback), {"score": "11"}).status_code == 400
    with pytest.raises(FeedbackError) as e:
        feedback_answer(feedback=feedback, score=-1)
    assert e.value.code == "invalid_score"
    feedback.refresh_from_db()
    assert feedback.score is None


def test_an_unknown_token_is_404(client):
    FeedbackFactory()
    assert client.get(reverse("booking:feedback", args=["not-a-real-token"])).status_code == 404
    assert client.post(reverse("booking:feedback", args=["not-a-real-token"]), {"score": "9"}).status_code == 404


def test_a_token_whose_survey_was_never_sent_is_404(client):
    feedback = FeedbackFactory(sent_at=None)
    assert client.get(_url(feedback)).status_code == 404


def test_the_database_refuses_a_second_survey_of_the_same_kind_for_a_booking():
    feedback = FeedbackFactory()
    FeedbackFactory(booking=feedback.booking, kind="engagement")
    with pytest.raises(IntegrityError):
        FeedbackFactory(booking=feedback.booking, kind="session")


def test_the_database_refuses_a_score_above_10():
    feedback = FeedbackFactory(score=10)
    with pytest.raises(IntegrityError):
        Feedback.objects.filter(pk=feedback.pk).update(score=11)


def test_answering_twice_changes_the_one_answer_instead_of_adding_one(client):
    feedback = FeedbackFactory()
    client.post(_url(feedback), {"score": "7"})
    client.post(_url(feedback), {"score": "9", "comment": "On reflection, great."})
    assert Feedback.objects.filter(booking=feedback.booking).count() == 1
    feedback.refresh_from_db()
    assert (feedback.score, feedback.comment) == (9, "On reflection, great.")


def test_the_answer_can_be_changed_for_seven_days_then_it_is_refused(client):
    feedback = FeedbackFactory()
    with time_machine.travel(NOW, tick=False):
        client.post(_url(feedback), {"score": "8"})
    with time_machine.travel(NOW + dt.timedelta(days=7), tick=False):
        response = client.get(_url(feedback))
        assert "You can change it until" in response.text
        client.post(_url(feedback), {"score": "9"})
    feedback.refresh_from_db()
    assert feedback.score == 9
    assert feedback.answered_at == NOW  # the window runs from the first answer
    with time_machine.travel(NOW + dt.timedelta(days=7, seconds=1), tick=False):
        response = client.post(_url(feedback), {"score": "3"}, follow=True)
        assert "can no longer be changed" in response.text
        assert 'type="radio"' not in response.text
    feedback.refresh_from_db()
    assert feedback.score == 9


# --- detractor alert ----------------------------------------------------------------------------------
def test_a_detractor_answer_alerts_the_consultant_once(client, mailoutbox, django_capture_on_commit_callbacks):
    feedback = FeedbackFactory()
    consultant = feedback.booking.consultant
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(feedback), {"score": "4", "comment": "Too generic for us."})
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [consultant.user.email]
    assert f"{feedback.booking.company.name} answered 4 out of 10" in mail.subject
    assert "Too generic for us." in mail.body
    assert reverse("reports:my_feedback") in mail.body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(feedback), {"score": "2"})
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("score", ["7", "9", "10"])
def test_a_passive_or_promoter_answer_sends_no_alert(client, mailoutbox, django_capture_on_commit_callbacks, score):
    feedback = FeedbackFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(feedback), {"score": score})
    assert mailoutbox == []


def test_changing_a_promoter_answer_to_a_detractor_alerts(client, mailoutbox, django_capture_on_commit_callbacks):
    feedback = FeedbackFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(feedback), {"score": "9"})
        client.post(_url(feedback), {"score": "6"})
    assert len(mailoutbox) == 1


# --- scheduling and sending ---------------------------------------------------------------------------
def test_the_survey_is_sent_two_hours_after_the_session_is_held_and_only_once(client, mailoutbox):
    booking = _held(NOW - dt.timedelta(hours=1, minutes=59))
    assert feedback_send_due(now=NOW) == 0
    assert mailoutbox == []
    assert feedback_send_due(now=NOW + dt.timedelta(minutes=1)) == 1
    assert feedback_send_due(now=NOW + dt.timedelta(minutes=2)) == 0
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [booking.booked_by.email]
    assert booking.consultant.display_name in mail.subject
    link = next(line for line in mail.body.splitlines() if "/feedback/" in line).strip()
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200
    feedback = Feedback.objects.get(booking=booking)
    assert feedback.kind == "session" and feedback.score is None
    assert feedback.token_hash and feedback.token_hash not in mail.body


def test_the_delay_is_a_setting(settings, mailoutbox):
    settings.FEEDBACK_DELAY_HOURS = 24
    _held(NOW - dt.timedelta(hours=3))
    assert feedback_send_due(now=NOW) == 0
    assert feedback_send_due(now=NOW + dt.timedelta(hours=21)) == 1


def test_a_completed_engagement_gets_its_own_survey(mailoutbox):
    booking = _held(NOW - dt.timedelta(days=30))  # too old for a session survey
    event = PipelineEventFactory(booking=booking, kind="completed", actor=booking.consultant.user)
    type(event).objects.filter(pk=event.pk).update(created_at=NOW - dt.timedelta(hours=3))
    assert feedback_send_due(now=NOW) == 1
    assert list(Feedback.objects.values_list("kind", flat=True)) == ["engagement"]
    assert "Thank you for working with" in mailoutbox[0].body


def test_sessions_that_were_not_held_get_no_survey(mailoutbox):
    booking = _held(NOW - dt.timedelta(hours=3))
    type(booking).objects.filter(pk=booking.pk).update(status="no_show")
    assert feedback_send_due(now=NOW) == 0
    assert not Feedback.objects.exists()


def test_a_failed_send_is_released_and_retried(mailoutbox, monkeypatch):
    _held(NOW - dt.timedelta(hours=3))
    from django.core.mail import EmailMultiAlternatives

    def boom(self, *a, **k):
        raise OSError("smtp down")

    with monkeypatch.context() as m:
        m.setattr(EmailMultiAlternatives, "send", boom)
        assert feedback_send_due(now=NOW) == 0
    feedback = Feedback.objects.get()
    assert feedback.sent_at is None and feedback.token_hash is None
    assert feedback_send_due(now=NOW) == 1
    assert len(mailoutbox) == 1


def test_scheduling_explicitly_is_idempotent_and_keeps_the_first_time(mailoutbox):
    booking = HeldBookingFactory()
    with time_machine.travel(NOW, tick=False):
        first = feedback_request_schedule(booking=booking, kind="engagement", delay=dt.timedelta(hours=1))
    with time_machine.travel(NOW + dt.timedelta(minutes=30), tick=False):
        again = feedback_request_schedule(booking=booking, kind="engagement", delay=dt.timedelta(hours=1))
    assert first.pk == again.pk and again.due_at == NOW + dt.timedelta(hours=1)
    assert feedback_send_due(now=NOW + dt.timedelta(minutes=59)) == 0
    assert feedback_send_due(now=NOW + dt.timedelta(hours=1)) == 1


def test_the_periodic_task_is_registered():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="feedback.feedback_send_due")
    assert schedule.func == "feedback.tasks.feedback_send_due"
    assert schedule.repeats == -1


def test_the_task_entry_point_runs(mailoutbox):
    from feedback.tasks import feedback_send_due as task

    _held(timezone.now() - dt.timedelta(hours=3))
    assert task() == 1
