"""What free text may contain: one rule for every model text field and every form field (the admin's and
allauth's included).

Refused everywhere: C0 control characters (NUL, BEL, ESC …), DEL, C1 controls, and Unicode's bidirectional
controls — the embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069 and the marks U+200E, U+200F,
U+061C. A company named "\u202eBA ynapmoC" renders reversed in every list, e-mail and CSV it appears in, and a
control character can break e-mail headers, CSV cells and terminals. Tab, line feed and carriage return are
allowed only in multi-line text (a TextField, a Textarea). Text is also bounded: a model CharField by its
max_length, everything else by MAX_TEXT_LENGTH.

How it is applied (accounts/apps.py calls `install()` once, at start-up):
- every CharField and TextField of our apps' models (and the user model) gets the validator, so ModelForms,
  the admin and `full_clean()` report it as a field error; it is not part of the fields' migration state;
- every form CharField checks it too (single-line unless its widget is a Textarea; password and hidden inputs
  are left alone: they are never shown and are checked where they are stored), so plain forms and third-party
  forms report it on the field as well.
The JSON API validates its text with `text_problem()` (the same rule).
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

MAX_TEXT_LENGTH = 20_000  # characters in one multi-line field: a long gap report is 5,000
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
_SINGLE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_MULTI_LINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")

OUR_APPS = {"accounts", "consultants", "booking", "waitlist", "feedback", "engagements", "integrations", "reports",
            "calendars"}


def text_problem(value: str, *, multiline: bool) -> str | None:
    """None when `value` is acceptable text, else a message for the user."""
    if not isinstance(value, str):
        return None
    found = (_MULTI_LINE if multiline else _SINGLE_LINE).search(value)
    if found is None:
        return None
    char = found.group()
    if char in "\t\n\r":
        return str(_("Use a single line here: line breaks and tabs are not allowed."))
    return str(_("Remove the invisible control character (U+%(code)04X) from this text.") % {"code": ord(char)})


class TextValidator:
    """The validator form and model fields get. Deconstructible in spirit only: never written into migrations."""

    def __init__(self, *, multiline: bool):
        self.multiline = multiline

    def __call__(self, value):
        problem = text_problem(value, multiline=self.multiline)
        if problem:
            raise ValidationError(problem, code="control_character")

    def __eq__(self, other):
        return isinstance(other, TextValidator) and other.multiline == self.multiline


validate_single_line = TextValidator(multiline=False)
validate_multi_line = TextValidator(multiline=True)
_validate_length = MaxLengthValidator(MAX_TEXT_LENGTH)


def _add(field, *validators) -> None:
    # `field.validators` is computed once and cached; adding to that list (not to `_validators`, which
    # deconstruct() reads) keeps the rule out of every migration.
    current = field.validators
    for validator in validators:
        if validator not in current:
            current.append(validator)


def install() -> None:
    """Attach the rule to every model text field of our apps and to every form CharField made from now on."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.db import models

    user_model = get_user_model()
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS and model is not user_model:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.TextField):
                _add(field, validate_multi_line, _validate_length)
            elif isinstance(field, models.CharField) and field.choices is None:
                _add(field, validate_single_line)

    if getattr(forms.CharField, "_probono_text_rule", False):
        return
    original = forms.CharField.run_validators

    # Patched on the class (not in __init__) so that form classes defined before start-up, whose fields are
    # deep-copied rather than constructed again, follow the rule too.
    def run_validators(self, value):
        original(self, value)
        if value in self.empty_values or isinstance(self.widget, forms.PasswordInput | forms.HiddenInput):
            return
        (validate_multi_line if isinstance(self.widget, forms.Textarea) else validate_single_line)(value)
        if self.max_length is None:
            _validate_length(value)

    forms.CharField.run_validators = run_validators
    forms.CharField._probono_text_rule = True
