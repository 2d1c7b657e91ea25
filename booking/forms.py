from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from booking.models import Question
from consultants.forms import MeetingPlaceForm
from consultants.meeting import phone_display, phone_normalize
from consultants.models import Language


class CompanyPhoneForm(forms.Form):
    """The booking step's number to call, when the consultant calls the company."""

    company_phone = forms.CharField(
        label=_("Your phone number"), max_length=32,
        help_text=_("The consultant calls you on this number. Swedish and Danish numbers as you write them at "
                    "home, others with +country code."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))

    def __init__(self, *args, region: str = "SE", **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region

    def clean_company_phone(self):
        return phone_normalize(self.cleaned_data["company_phone"], region=self.region)


class SessionPlaceForm(MeetingPlaceForm):
    """The consultant's change of one session's place; can also give the number to call."""

    company_phone = forms.CharField(
        label=_("The company's phone number"), max_length=32, required=False,
        help_text=_("When you call the company; leave it as it is to use the number they gave."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))

    def __init__(self, *args, booking, **kwargs):
        initial = {**booking.place_values(), "company_phone": phone_display(booking.company_phone)}
        super().__init__(*args, initial=initial, **kwargs)

    def clean_company_phone(self):
        raw = self.cleaned_data["company_phone"]
        return phone_normalize(raw, region=self.phone_region) if raw else ""



class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ConsultantCancelForm(forms.Form):
    reason = forms.CharField(label=_("Message to the company"), required=True, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Tell them why, and whether they can book another time."))


class DeclineForm(forms.Form):
    message = forms.CharField(label=_("Message to the company"), required=True, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))


def slot_label(slot) -> str:
    start = timezone.localtime(slot.starts_at)
    end = timezone.localtime(slot.ends_at)
    return f"{date_format(start, 'WEEKDAY_DATE_FORMAT')}, {start:%H:%M}–{end:%H:%M}"


class RescheduleForm(forms.Form):
    slot = forms.TypedChoiceField(label=_("New time"), coerce=int)

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = {s.pk: s for s in slots}
        self.fields["slot"].choices = [(s.pk, slot_label(s)) for s in slots]
        tz = timezone.get_current_timezone_name()
        self.fields["slot"].help_text = _("Times are in %(zone)s.") % {"zone": tz}

    def chosen_slot(self):
        return self.slots[self.cleaned_data["slot"]]


class QuestionForm(forms.Form):
    """One row of the questionnaire builder."""

    kind = forms.ChoiceField(label=_("Type"), choices=Question.Kind.choices, initial=Question.Kind.SHORT_TEXT)
    label = forms.CharField(label=_("Question"), max_length=300)
    help_text = forms.CharField(label=_("Help text"), max_length=300, required=False)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    choices = forms.CharField(label=_("Choices (one per line)"), required=False, max_length=3000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Only for one-choice and several-choices questions."))

    def __init__(self, *args, languages=(), **kwargs):
        """`languages`: the other languages of the consultant's profile; each gets the question's wording in it."""
        super().__init__(*args, **kwargs)
        self.languages = list(languages)
        for lang in self.languages:
            name = Language(lang).label if lang in Language.values else lang
            self.fields[f"label_{lang}"] = forms.CharField(
                label=_("Question in %(language)s") % {"language": name}, max_length=300, required=False,
                help_text=_("Companies that use %(language)s see this; left empty, they see your wording with a "
                            "note.") % {"language": name})
            self.fields[f"help_text_{lang}"] = forms.CharField(
                label=_("Help text in %(language)s") % {"language": name}, max_length=300, required=False)
            self.fields[f"choices_{lang}"] = forms.CharField(
                label=_("Choices in %(language)s (one per line, same order)") % {"language": name}, required=False,
                max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))

    @staticmethod
    def _lines(raw: str) -> list[str]:
        return [line.strip() for line in (raw or "").splitlines() if line.strip()]

    def clean(self):
        data = super().clean()
        choices = self._lines(data.get("choices"))
        is_choice = data.get("kind") in Question.CHOICE_KINDS
        if is_choice:
            if len(choices) < 2:
                self.add_error("choices", _("Give at least two choices, one per line."))
            if len(set(choices)) != len(choices):
                self.add_error("choices", _("Each choice must be different."))
        else:
            choices = []
        data["choices"] = choices
        translations = {}
        for lang in self.languages:
            label = (data.get(f"label_{lang}") or "").strip()
            if not label:
                continue
            other = self._lines(data.get(f"choices_{lang}")) if is_choice else []
            if is_choice and len(other) != len(choices):
                self.add_error(f"choices_{lang}", _("Give as many choices as in your own language, in the same "
                                                    "order."))
            translations[lang] = {"label": label, "help_text": (data.get(f"help_text_{lang}") or "").strip(),
                                  "choices": other}
        data["translations"] = translations
        return data


class BaseQuestionFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        if not kept:
            raise forms.ValidationError(_("Keep at least one question."))

    def questions(self) -> list[dict]:
        """The kept questions, in the order the consultant gave them."""
        rows = [f for f in self.ordered_forms] if self.can_order else list(self.forms)
        rows = [f for f in rows if f.cleaned_data and not self._should_delete_form(f)]
        return [{k: f.cleaned_data[k] for k in ("kind", "label", "help_text", "required", "choices", "translations")}
                for f in rows]


QuestionFormSet = forms.formset_factory(QuestionForm, formset=BaseQuestionFormSet, extra=1, can_order=True,
                                        can_delete=True, max_num=30, validate_max=True,
                                        absolute_max=30)  # a tampered TOTAL_FORMS never builds 1,030 forms


def question_initial(questions) -> list[dict]:
    rows = []
    for i, q in enumerate(questions):
        row = {"kind": q.kind, "label": q.label, "help_text": q.help_text, "required": q.required,
               "choices": "\n".join(q.choices or []), "ORDER": i + 1}
        for lang, t in (q.translations or {}).items():
            row.update({f"label_{lang}": t.get("label", ""), f"help_text_{lang}": t.get("help_text", ""),
                        f"choices_{lang}": "\n".join(t.get("choices") or [])})
        rows.append(row)
    return rows
