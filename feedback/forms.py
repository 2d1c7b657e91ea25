from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.services import COMMENT_MAX_LENGTH


class FeedbackForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Score"), coerce=int, choices=[(i, str(i)) for i in range(11)], widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 0 to 10.")},
    )
    comment = forms.CharField(
        label=_("What is the main reason for your score? (optional)"), required=False,
        max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
    )
    show_company = forms.BooleanField(
        label=_("Probono may show our company name with this comment on its wall of happy customers"),
        required=False,
    )

    def __init__(self, *args, consultant_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].label = _(
            "How likely are you to recommend %(name)s to a colleague?") % {"name": consultant_name}
