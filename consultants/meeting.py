"""Where a session happens: a video link (fixed, or a new room per session), a phone call (either side
calls), or an address.

One abstract set of fields, `MeetingPlace`, is used twice: on the consultant (their default) and on each
booking (a copy taken when it is booked, which the consultant may change for that one session), so both are
read the same way. `place_describe()` turns one into the words every page, mail and invite uses, for one
audience; what a visitor may see is only `place_public_label()` ("Video", "Phone", "Stockholm").
"""

import secrets
from dataclasses import dataclass, field

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class MeetingKind(models.TextChoices):
    UNSET = "", gettext_lazy("Not decided yet")
    VIDEO_LINK = "video_link", gettext_lazy("Video meeting at my own link")
    VIDEO_ROOM = "video_room", gettext_lazy("Video meeting in a new room for each session")
    PHONE_CONSULTANT_CALLS = "phone_i_call", gettext_lazy("Phone call: I call the company")
    PHONE_COMPANY_CALLS = "phone_they_call", gettext_lazy("Phone call: the company calls me")
    IN_PERSON = "in_person", gettext_lazy("In person, at an address")


VIDEO_KINDS = (MeetingKind.VIDEO_LINK, MeetingKind.VIDEO_ROOM)
PHONE_KINDS = (MeetingKind.PHONE_CONSULTANT_CALLS, MeetingKind.PHONE_COMPANY_CALLS)


class PlaceCountry(models.TextChoices):
    SE = "SE", gettext_lazy("Sweden")
    DK = "DK", gettext_lazy("Denmark")
    NO = "NO", gettext_lazy("Norway")
    FI = "FI", gettext_lazy("Finland")
    DE = "DE", gettext_lazy("Germany")


# 160 random bits (the issue asks for at least 128), hex so that a room service lower-casing names keeps them.
VIDEO_ROOM_BYTES = 20


def video_room_new() -> str:
    return "probono-" + secrets.token_hex(VIDEO_ROOM_BYTES)


def video_rooms_enabled() -> bool:
    return bool(getattr(settings, "VIDEO_ROOM_BASE_URL", ""))


def video_room_url(room: str) -> str:
    base = getattr(settings, "VIDEO_ROOM_BASE_URL", "")
    if not (base and room):
        return ""
    return base.rstrip("/") + "/" + room


_https = URLValidator(schemes=["https"])


def validate_https_url(value: str) -> None:
    try:
        _https(value)
    except ValidationError:
        raise ValidationError(_("Enter a full https:// address, e.g. https://meet.example.com/your-room."),
                              code="https") from None


def phone_normalize(raw: str, *, region: str = "SE") -> str:
    """A phone number in E.164 (+46701234567), read as a national number of `region` unless it starts with
    + or 00. Raises ValidationError for anything that is not a valid number."""
    raw = (raw or "").strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    region = region if region in phonenumbers.SUPPORTED_REGIONS else "SE"
    message = _("Enter a valid phone number, e.g. 070-123 45 67 or +45 32 12 34 56.")
    if not raw or len(raw) > 32:
        raise ValidationError(message, code="phone")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(message, code="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(message, code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    """+46701234567 → '+46 70 123 45 67' (as written internationally, so it works from either country)."""
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, None),
                                          phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


class MeetingPlace(models.Model):
    """The fields of a meeting place. Abstract: the consultant's default and each booking's copy."""

    place_kind = models.CharField(gettext_lazy("how you meet"), max_length=16, choices=MeetingKind.choices,
                                  blank=True, default=MeetingKind.UNSET)
    place_video_url = models.CharField(gettext_lazy("video link"), max_length=500, blank=True,
                                       validators=[validate_https_url])
    place_phone = models.CharField(gettext_lazy("phone number"), max_length=32, blank=True)
    place_street = models.CharField(gettext_lazy("street address"), max_length=200, blank=True)
    place_postcode = models.CharField(gettext_lazy("postcode"), max_length=20, blank=True)
    place_city = models.CharField(gettext_lazy("city"), max_length=100, blank=True)
    place_country = models.CharField(gettext_lazy("country"), max_length=2, choices=PlaceCountry.choices,
                                     blank=True)
    place_directions = models.TextField(gettext_lazy("directions"), max_length=500, blank=True)

    PLACE_FIELDS = ("place_kind", "place_video_url", "place_phone", "place_street", "place_postcode",
                    "place_city", "place_country", "place_directions")

    class Meta:
        abstract = True

    def place_values(self) -> dict:
        return {name: getattr(self, name) for name in self.PLACE_FIELDS}

    @property
    def place_is_video(self) -> bool:
        return self.place_kind in VIDEO_KINDS

    @property
    def place_join_url(self) -> str:
        """The link that opens the video meeting; '' when there is none (yet)."""
        if self.place_kind == MeetingKind.VIDEO_LINK:
            return self.place_video_url
        if self.place_kind == MeetingKind.VIDEO_ROOM:
            return video_room_url(getattr(self, "video_room", ""))
        return ""

    def place_address_line(self) -> str:
        country = self.get_place_country_display() if self.place_country else ""
        town = " ".join(x for x in (self.place_postcode, self.place_city) if x)
        return ", ".join(x for x in (self.place_street, town, str(country)) if x)

    def place_public_label(self) -> str:
        """What anyone may read: the kind, or the city. Never a link, a number or a street."""
        if self.place_kind in VIDEO_KINDS:
            return _("Video meeting")
        if self.place_kind in PHONE_KINDS:
            return _("Phone call")
        if self.place_kind == MeetingKind.IN_PERSON:
            return self.place_city or _("In person")
        return ""


@dataclass
class PlaceText:
    """A meeting place in words for one reader. `location` is the one line an invite's LOCATION gets."""

    kind: str
    title: str
    lines: list[str] = field(default_factory=list)
    join_url: str = ""
    location: str = ""
    phone: str = ""

    @property
    def is_video(self) -> bool:
        return self.kind in VIDEO_KINDS

    def as_text(self) -> str:
        return "\n".join([self.title, *self.lines, *([self.join_url] if self.join_url else [])])


def place_describe(place: MeetingPlace, *, consultant_name: str, company_name: str = "",
                   company_phone: str = "", for_consultant: bool = False, booked: bool = True) -> PlaceText:
    """The place in words for the company (default) or the consultant.

    `booked=False` is the booking steps: the kind and the city only, and what comes with the confirmation.
    """
    kind = place.place_kind
    names = {"consultant": consultant_name, "company": company_name or _("the company")}
    if kind in VIDEO_KINDS:
        join = place.place_join_url if booked else ""
        lines = [] if join else [_("The link comes with your confirmation.") if not booked
                                 else _("The link will follow by e-mail.")]
        return PlaceText(kind, _("Video meeting"), lines, join_url=join, location=join or _("Video meeting"))
    if kind == MeetingKind.PHONE_CONSULTANT_CALLS:
        number = phone_display(company_phone)
        if not booked and not number:
            return PlaceText(kind, _("Phone call"), [
                _("%(consultant)s calls you on the number you give when you book.") % names],
                location=_("Phone call"))
        if for_consultant:
            line = (_("You call %(company)s on %(number)s.") % {**names, "number": number} if number
                    else _("You call %(company)s.") % names)
        else:
            line = (_("%(consultant)s calls you on %(number)s.") % {**names, "number": number} if number
                    else _("%(consultant)s calls you.") % names)
        return PlaceText(kind, _("Phone call"), [line], location=number or _("Phone call"), phone=company_phone)
    if kind == MeetingKind.PHONE_COMPANY_CALLS:
        number = phone_display(place.place_phone)
        if not booked:
            return PlaceText(kind, _("Phone call"), [
                _("You call %(consultant)s; the number comes with your confirmation.") % names],
                location=_("Phone call"))
        line = (_("%(company)s calls you on %(number)s.") if for_consultant
                else _("Call %(consultant)s on %(number)s.")) % {**names, "number": number}
        return PlaceText(kind, _("Phone call"), [line], location=number, phone=place.place_phone)
    if kind == MeetingKind.IN_PERSON:
        if not booked:
            city = place.place_city or ""
            title = _("In person in %(city)s") % {"city": city} if city else _("In person")
            return PlaceText(kind, title, [_("The address comes with your confirmation.")], location=city)
        address = place.place_address_line()
        lines = [address] + ([place.place_directions] if place.place_directions else [])
        return PlaceText(kind, _("In person"), lines, location=address)
    return PlaceText("", _("To be agreed"), [
        _("%(consultant)s will tell you how you meet.") % names if not for_consultant
        else _("You have not chosen how you meet: tell %(company)s.") % names])


def place_clean(values: dict, *, phone_region: str = "SE") -> dict:
    """Check that a place has what its kind needs; returns the values with the phone number in E.164.

    Raises ValidationError({field: message}). A fixed video link must be https; a new room per session needs
    VIDEO_ROOM_BASE_URL; the company-calls-me phone kind needs the consultant's number; in person needs a
    street and a city. Fields other kinds use are kept, so switching back does not lose them.
    """
    values = {name: (values.get(name) or "") for name in MeetingPlace.PLACE_FIELDS}
    values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    kind = values["place_kind"]
    errors = {}
    if kind not in MeetingKind.values:
        errors["place_kind"] = _("Choose how you meet.")
    if kind == MeetingKind.VIDEO_LINK:
        if not values["place_video_url"]:
            errors["place_video_url"] = _("Give the link of your video room.")
    if values["place_video_url"]:
        try:
            validate_https_url(values["place_video_url"])
        except ValidationError as e:
            errors["place_video_url"] = e.messages[0]
    if kind == MeetingKind.VIDEO_ROOM and not video_rooms_enabled():
        errors["place_kind"] = _("New rooms per session are not switched on here; give your own video link.")
    if values["place_phone"]:
        try:
            values["place_phone"] = phone_normalize(values["place_phone"], region=phone_region)
        except ValidationError as e:
            errors["place_phone"] = e.messages[0]
    elif kind == MeetingKind.PHONE_COMPANY_CALLS:
        errors["place_phone"] = _("Give the number the company should call.")
    if kind == MeetingKind.IN_PERSON:
        for name, message in (("place_street", _("Give the street address.")), ("place_city", _("Give the city."))):
            if not values[name]:
                errors[name] = message
    if values["place_country"] and values["place_country"] not in PlaceCountry.values:
        errors["place_country"] = _("Choose a country from the list.")
    if errors:
        raise ValidationError(errors)
    return values
