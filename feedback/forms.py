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


class CustomerNpsForm(forms.Form):
    """The company's own customers' scores: an export file, or the number of answers per score typed in."""

    file = forms.FileField(label=_("Export from your survey tool (CSV or Excel .xlsx)"), required=False,
                           help_text=_("One row per answer with a score 0–10; a date, a comment and a segment column "
                                       "are used when present. At most 50,000 rows or 5 MB."))
    public_consent = forms.BooleanField(
        label=_("Our consultant may show the change in our customers' NPS on their public profile (without our "
                "name or comments)"), required=False)

    def __init__(self, *args, ask_consent: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for score in range(11):
            self.fields[f"count_{score}"] = forms.IntegerField(
                label=_("Answers with score %(score)s") % {"score": score}, required=False, min_value=0,
                max_value=1_000_000)
        if not ask_consent:
            del self.fields["public_consent"]

    def counts(self) -> list[int]:
        return [self.cleaned_data.get(f"count_{score}") or 0 for score in range(11)]

    def clean(self):
        data = super().clean()
        if not data.get("file") and not sum(self.counts() if not self.errors else [0]):
            raise forms.ValidationError(_("Upload an export, or type how many answers each score got."))
        return data
