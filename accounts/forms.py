import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, Company, User
from accounts.validators import normalize_org_number

COMMON_ZONES = ["Europe/Stockholm", "Europe/Copenhagen", "Europe/Oslo", "Europe/Helsinki", "Europe/Berlin",
                "Europe/London", "UTC"]


def time_zone_choices():
    rest = sorted(z for z in zoneinfo.available_timezones() if z not in COMMON_ZONES and "/" in z)
    return [(z, z.replace("_", " ")) for z in COMMON_ZONES + rest]


class CompanyFieldsMixin(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=Company.Country.choices)
    org_number = forms.CharField(
        label=_("Organisation number"), max_length=32, required=False,
        help_text=_("Swedish: 556677-8899. Danish CVR: 8 digits."),
    )
    industry = forms.ChoiceField(label=_("Industry"), choices=Company.Industry.choices)
    size = forms.ChoiceField(label=_("Size"), choices=Company.Size.choices, initial=Company.Size.SMALL)
    instance: Company | None = None

    def clean(self):
        data = super().clean()
        if "country" in data and "org_number" in data:
            try:
                data["org_number"] = normalize_org_number(data["country"], data["org_number"])
            except ValidationError as e:
                self.add_error("org_number", e)
                return data
            clash = Company.objects.filter(country=data["country"], org_number=data["org_number"])
            if self.instance:
                clash = clash.exclude(pk=self.instance.pk)
            if data["org_number"] and clash.exists():
                self.add_error("org_number", _("A company with this organisation number is already registered."))
        return data


class CompanySignupForm(CompanyFieldsMixin):
    """Extra fields on allauth's signup form: signing up creates the company, with the user as owner."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    field_order = ["name", "email", "password1", "password2", "company_name", "country", "org_number",
                   "industry", "size"]

    def signup(self, request, user):
        from accounts.services import AccountError, company_create

        user.name = self.cleaned_data["name"]
        user.language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        tz = request.COOKIES.get("tz")
        if tz in zoneinfo.available_timezones():
            user.time_zone = tz
        user.save(update_fields=["name", "language", "time_zone"])
        try:
            company_create(
                owner=user, name=self.cleaned_data["company_name"], org_number=self.cleaned_data["org_number"],
                country=self.cleaned_data["country"], industry=self.cleaned_data["industry"],
                size=self.cleaned_data["size"],
            )
        except AccountError:
            # Taken between clean() and now: the account stays; the owner can add the company later.
            pass


class CompanyForm(CompanyFieldsMixin):
    billing_address = forms.CharField(label=_("Billing address"), required=False, max_length=500,
                                      widget=forms.Textarea(attrs={"rows": 3}),
                                      help_text=_("Street, postal code and town, as invoices should show them."))
    vat_number = forms.CharField(label=_("VAT number"), required=False, max_length=20,
                                 help_text=_("With its country prefix, e.g. SE556677889901 or DK12345678."))

    def __init__(self, *args, instance: Company, **kwargs):
        self.instance = instance
        kwargs.setdefault("initial", {
            "company_name": instance.name, "country": instance.country, "org_number": instance.org_number,
            "industry": instance.industry, "size": instance.size, "billing_address": instance.billing_address,
            "vat_number": instance.vat_number,
        })
        super().__init__(*args, **kwargs)

    def clean_vat_number(self):
        value = "".join(self.cleaned_data["vat_number"].split()).upper()
        if value and not (len(value) > 4 and value[:2].isalpha() and value[2:].isalnum()):
            raise ValidationError(_("Enter the VAT number with its two-letter country prefix, e.g. SE556677889901."))
        return value


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail"))


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class InvitationAcceptForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    password = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password, self.user)
        return password


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100,
                           help_text=_("What the token is for, e.g. “CRM sync”."))
    scope = forms.ChoiceField(label=_("Access"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
