"""The NPS survey page, opened from the e-mailed private link without logging in.

GET only shows the question (mail scanners and link previews open links: they must never record a score);
the score is recorded by the POST.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.ratelimits import limit_link_guesses, limit_posts
from feedback.forms import FeedbackForm
from feedback.models import Feedback
from feedback.selectors import feedback_can_answer, feedback_edit_deadline, feedback_get_by_token
from feedback.services import FeedbackError, feedback_answer


def _get_feedback_for_token(token: str) -> Feedback:
    feedback = feedback_get_by_token(token)
    if feedback is None:
        raise Http404
    return feedback


@never_cache
@limit_link_guesses
@limit_posts("survey")
def feedback(request, token: str):
    survey = _get_feedback_for_token(token)
    consultant = survey.booking.consultant
    can_answer = feedback_can_answer(survey)
    initial = ({"score": survey.score, "comment": survey.comment, "show_company": survey.show_company}
               if survey.answered_at else {})
    form = FeedbackForm(request.POST if request.method == "POST" else None, initial=initial,
                        consultant_name=consultant.display_name)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                feedback_answer(feedback=survey, **form.cleaned_data)
            except FeedbackError as e:
                messages.error(request, e.message)
                return redirect("booking:feedback", token=token)
            messages.success(request, _("Thank you! Your answer is saved."))
            return redirect("booking:feedback", token=token)
        status = 400
    return render(request, "feedback/survey.html", {
        "survey": survey, "consultant": consultant, "form": form, "can_answer": can_answer,
        "edit_deadline": feedback_edit_deadline(survey),
    }, status=status)
