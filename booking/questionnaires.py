"""Intake questionnaires: the default gap-analysis questions, versions, and the form a company fills in.

A questionnaire version is never changed once it exists: saving the builder creates the next version, so an
answer always points at the exact wording that was asked (and IntakeAnswer copies that wording as well).
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Company
from booking.models import Question, Questionnaire
from consultants.models import Consultant, Language

K = Question.Kind


def default_questions() -> list[dict]:
    """The default gap-analysis questions, in the active language (call under translation.override)."""
    return [
        # Size and industry come from the company's details (pre-filled, and an edit is saved back there).
        {"kind": K.COMPANY_SIZE, "label": _("How many people work in your company?"), "help_text": "",
         "required": True, "choices": []},
        {"kind": K.COMPANY_INDUSTRY, "label": _("Which industry is your company in?"), "help_text": "",
         "required": True, "choices": []},
        {"kind": K.MULTIPLE_CHOICE, "label": _("How do you measure customer satisfaction today?"),
         "help_text": _("Choose all that apply."), "required": True,
         "choices": [_("NPS (Net Promoter Score)"), _("CSI (Customer Satisfaction Index)"),
                     _("Our own customer surveys"), _("We do not measure it yet")]},
        {"kind": K.LONG_TEXT, "label": _("What is your main customer-experience challenge right now?"),
         "help_text": _("A few sentences are enough."), "required": True, "choices": []},
        {"kind": K.LONG_TEXT, "label": _("What would be a good outcome of this session for you?"),
         "help_text": "", "required": True, "choices": []},
    ]


def questionnaire_languages(consultant: Consultant) -> tuple[str, list[str]]:
    """(the language the consultant writes questions in, the other site languages their profile lists)."""
    site = [code for code, _name in settings.LANGUAGES]
    base = consultant.user.language if consultant.user.language in site else settings.LANGUAGE_CODE
    listed = set(consultant.languages.values_list("language", flat=True))
    return base, [code for code in site if code in listed and code != base]


def builder_languages(consultant: Consultant, questions) -> list[str]:
    """The languages the builder asks each question in besides the consultant's: those their profile lists, and
    any a current question already has (the default questions come in every site language)."""
    base, others = questionnaire_languages(consultant)
    present = {lang for q in questions for lang in (q.translations or {})}
    return [code for code, _name in settings.LANGUAGES if code != base and (code in others or code in present)]


def default_questions_for(consultant: Consultant) -> list[dict]:
    """The default questions in the consultant's language, with our own translations in every other site language
    (the questionnaire exists from the moment the profile does, before any language is listed on it)."""
    base, _others = questionnaire_languages(consultant)
    with translation.override(base):
        questions = default_questions()
    for lang in [code for code, _name in settings.LANGUAGES if code != base]:
        with translation.override(lang):
            for item, other in zip(questions, default_questions(), strict=True):
                item.setdefault("translations", {})[lang] = {
                    "label": other["label"], "help_text": other["help_text"], "choices": other["choices"]}
    return questions


def _create_version(consultant: Consultant, version: int, questions: list[dict]) -> Questionnaire:
    language, _others = questionnaire_languages(consultant)
    q = Questionnaire.objects.create(consultant=consultant, version=version)
    Question.objects.bulk_create([
        Question(questionnaire=q, order=i, kind=item["kind"], label=item["label"],
                 help_text=item.get("help_text") or "", required=bool(item.get("required", True)),
                 choices=list(item.get("choices") or []), language=language,
                 translations=item.get("translations") or {})
        for i, item in enumerate(questions)
    ])
    return q


def questionnaire_get_with_questions(*, pk: int, consultant_id: int) -> Questionnaire | None:
    """The consultant's version `pk` with its questions in one query (None: not theirs, or no such version).

    A version never changes once it exists, so the questions read here are the ones the service books with:
    `questionnaire.questions.all()` answers from them without another query."""
    questions = list(Question.objects.select_related("questionnaire")
                     .filter(questionnaire_id=pk, questionnaire__consultant_id=consultant_id)
                     .order_by("order", "pk"))
    if not questions:  # a version without questions (or none at all): the plain two queries
        q = Questionnaire.objects.filter(pk=pk, consultant_id=consultant_id).prefetch_related("questions").first()
        return q
    questionnaire = questions[0].questionnaire
    for question in questions:
        question.questionnaire = questionnaire
    # What prefetch_related stores, filled from the rows already read (Django's prefetch_one_level does the same).
    qs = questionnaire.questions.all()
    qs._result_cache, qs._prefetch_done = questions, True
    questionnaire._prefetched_objects_cache = {"questions": qs}
    return questionnaire


def questionnaire_get_current(consultant: Consultant) -> Questionnaire:
    """The newest version; on first use, the default questionnaire in the consultant's language (version 1)."""
    current = Questionnaire.objects.filter(consultant=consultant).order_by("-version").first()
    if current is not None:
        return current
    questions = default_questions_for(consultant)
    try:
        with transaction.atomic():
            return _create_version(consultant, 1, questions)
    except IntegrityError:  # created by a concurrent first use
        return Questionnaire.objects.filter(consultant=consultant).order_by("-version").first()


def _snapshot(questions) -> list[dict]:
    out = []
    for q in questions:
        get = (lambda f, q=q: q.get(f)) if isinstance(q, dict) else (lambda f, q=q: getattr(q, f))
        out.append({"kind": get("kind"), "label": get("label") or "", "help_text": get("help_text") or "",
                    "required": bool(get("required")),
                    "choices": list(get("choices") or []) if get("kind") in Question.CHOICE_KINDS else [],
                    "translations": {lang: t for lang, t in sorted((get("translations") or {}).items())
                                     if t.get("label")}})
    return out


def questionnaire_save(*, consultant: Consultant, questions: list[dict]) -> Questionnaire:
    """Save the builder: a new version with `questions` (in order), unless nothing changed.

    Copy-on-write: earlier versions and their answers stay untouched. Two saves at once cannot both take the
    same version number (unique constraint); the loser retries with the next number.
    """
    current = questionnaire_get_current(consultant)
    wanted = _snapshot(questions)
    if wanted == _snapshot(current.questions.all()):
        return current
    for _attempt in range(3):
        latest = Questionnaire.objects.filter(consultant=consultant).order_by("-version").first()
        try:
            with transaction.atomic():
                return _create_version(consultant, latest.version + 1, wanted)
        except IntegrityError:
            continue
    raise RuntimeError("could not save the questionnaire: too many concurrent saves")


# --- The form a company fills in ----------------------------------------------------------------------------
CUSTOMER_NPS_CHOICES = (
    ("upload", gettext_lazy("I will upload an export of our customer survey")),
    ("typed", gettext_lazy("I will type the number of answers per score")),
    ("none", gettext_lazy("We do not measure our customers' NPS yet")),
)


def _field_name(question: Question) -> str:
    return f"q_{question.pk}"


LONG_ANSWER_MAX = 4000


def _field_for(question: Question, text, company: Company | None) -> forms.Field:
    common = {"label": text.label, "help_text": text.help_text, "required": question.required}
    kind = question.kind
    if kind == K.LONG_TEXT:
        # The browser stops at the limit and counts (static/js/probono.js); without JavaScript the help text says
        # it, and the server refuses a longer answer with a field error instead of cutting it.
        limit = _("Up to %(limit)s characters.") % {"limit": number_format(LONG_ANSWER_MAX, force_grouping=True)}
        common["help_text"] = f"{text.help_text} {limit}".strip()
        return forms.CharField(max_length=LONG_ANSWER_MAX, **common, widget=forms.Textarea(
            attrs={"rows": 4, "maxlength": LONG_ANSWER_MAX, "data-counter": ""}))
    if kind in Question.COMPANY_KINDS:
        field = Question.COMPANY_KINDS[kind]
        choices = Company.Size.choices if field == "size" else Company.Industry.choices
        common["help_text"] = text.help_text or _("From your company's details; a change here updates them.")
        return forms.ChoiceField(choices=[("", "—"), *choices] if field == "industry" else choices,
                                 initial=getattr(company, field, None) if company is not None else None,
                                 widget=forms.RadioSelect if field == "size" else forms.Select, **common)
    if kind == K.SINGLE_CHOICE:
        return forms.ChoiceField(choices=text.choices, widget=forms.RadioSelect, **common)
    if kind == K.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(choices=text.choices, widget=forms.CheckboxSelectMultiple, **common)
    if kind == K.SCALE:
        return forms.TypedChoiceField(choices=[(str(i), str(i)) for i in range(11)], coerce=int, empty_value=None,
                                      widget=forms.RadioSelect(attrs={"class": "scale"}), **common)
    if kind == K.NUMBER:
        return forms.DecimalField(max_digits=15, decimal_places=2, **common)
    if kind == K.CUSTOMER_NPS:
        return forms.ChoiceField(
            choices=[(k, v) for k, v in CUSTOMER_NPS_CHOICES], widget=forms.RadioSelect,
            label=question.label,
            help_text=question.help_text or gettext_lazy(
                "After booking you upload the export of your own customer survey (CSV or Excel), or type how many "
                "customers gave each score 0–10. Only your consultant sees it."),
            required=question.required)
    if kind == K.YES_NO:
        return forms.TypedChoiceField(choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))],
                                      coerce=lambda v: v == "yes", empty_value=None, widget=forms.RadioSelect,
                                      **common)
    return forms.CharField(max_length=300, **common)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if value in ("", []):
        return None
    return value


class IntakeForm(forms.Form):
    """Built from one questionnaire version; `answers()` gives {question pk: JSON-ready value}."""

    def __init__(self, *args, questions, language: str | None = None, company: Company | None = None, **kwargs):
        """`language`: the reader's (default: the active one); each question shows in it when the consultant wrote
        that version. `company`: pre-fills the questions answered from the company's details."""
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        language = language or translation.get_language()
        self.texts = {}
        for q in self.questions:
            self.texts[q.pk] = q.text_in(language)
            self.fields[_field_name(q)] = _field_for(q, self.texts[q.pk], company)

    @property
    def fallback_language(self) -> str:
        """The consultant's language when some question has no version in the reader's ("" when all have)."""
        for q in self.questions:
            if self.texts[q.pk].fallback:
                return str(Language(q.language).label) if q.language in Language.values else q.language
        return ""

    def label_of(self, question: Question) -> str:
        return self.texts[question.pk].label

    def answers(self) -> dict[int, Any]:
        return {q.pk: _json_value(self.cleaned_data.get(_field_name(q))) for q in self.questions}


def answers_missing(questions, answers: dict[int, Any]) -> list[Question]:
    return [q for q in questions if q.required and answers.get(q.pk) in (None, "", [])]
