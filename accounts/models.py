from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_time_zone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person. E-mail is the login; the name is free text, shown to others."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.DEFAULT_USER_TIME_ZONE, validators=[validate_time_zone]
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email


class Company(models.Model):
    class Country(models.TextChoices):
        SE = "SE", _("Sweden")
        DK = "DK", _("Denmark")
        OTHER = "XX", _("Other")

    class Size(models.TextChoices):
        MICRO = "1-9", _("1–9 employees")
        SMALL = "10-49", _("10–49 employees")
        MEDIUM = "50-249", _("50–249 employees")
        LARGE = "250+", _("250 or more employees")

    class Industry(models.TextChoices):
        RETAIL = "retail", _("Retail and e-commerce")
        HOSPITALITY = "hospitality", _("Hotels, restaurants and travel")
        HOUSING = "housing", _("Housing and real estate")
        FINANCE = "finance", _("Banking and insurance")
        HEALTH = "health", _("Health and care")
        PUBLIC = "public", _("Public sector")
        SERVICES = "services", _("Professional services")
        TECH = "tech", _("Software and telecom")
        MANUFACTURING = "manufacturing", _("Manufacturing")
        OTHER = "other", _("Other")

    name = models.CharField(_("company name"), max_length=200)
    org_number = models.CharField(_("organisation number"), max_length=32, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.SE)
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, default=Industry.OTHER)
    size = models.CharField(_("size"), max_length=8, choices=Size.choices, default=Size.SMALL)
    # What an invoice to the company names (Swedish and Danish invoices must show the buyer's address; a VAT
    # number from another EU country makes the sale a reverse-charge one).
    billing_address = models.TextField(_("billing address"), blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True,
                                  help_text=_("With its country prefix, e.g. SE556677889901 or DK12345678."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "org_number"],
                condition=~models.Q(org_number=""),
                name="company_org_number_unique_per_country",
                violation_error_message=_("A company with this organisation number is already registered."),
            )
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "company"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} @ {self.company} ({self.role})"


class AuditEntry(models.Model):
    """One staff action on bookings, payments and the settings around them: who, what, on which object, when.

    Written by `accounts.audit.audit_record` inside the transaction of the change, so a change that rolls back
    leaves no entry. Append-only: nobody edits or removes an entry (the admin shows it read-only). The actor's
    e-mail and the target's label are snapshots, so an entry still reads right after the user or the object
    is gone. `data` never holds secrets (see `accounts.audit`).
    """

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_email = models.CharField(_("who (e-mail)"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=64)
    target_type = models.ForeignKey(ContentType, verbose_name=_("kind of object"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_label = models.CharField(_("object"), max_length=200, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["action", "created_at"], name="auditentry_action_idx"),
            models.Index(fields=["target_type", "target_id"], name="auditentry_target_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email or '—'} {self.action} {self.target_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)


class ApiToken(models.Model):
    """A personal API token (integrations' /api/v1/): acts as its user, within its scope.

    Only the SHA-256 of the token is stored (shown to its owner once, on creation); `prefix` (its first
    characters) tells tokens apart on the profile page. A revoked token stays as a row (revoked_at) so the
    page can say when; it never authenticates again.
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        READ_WRITE = "read_write", _("Read and write")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE
