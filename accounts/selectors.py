from accounts.models import Company, Membership, User


def company_for_user(user: User) -> Company | None:
    """The company a signed-in member acts for (their first membership), or None."""
    if not user.is_authenticated:
        return None
    membership = Membership.objects.select_related("company").filter(user=user).order_by("created_at").first()
    return membership.company if membership else None


def membership_get(*, user: User, company: Company) -> Membership | None:
    return Membership.objects.filter(user=user, company=company).first()


def member_list(*, company: Company):
    return Membership.objects.filter(company=company).select_related("user").order_by("-role", "user__email")


def user_is_consultant(user: User) -> bool:
    # consultants.Consultant is a one-to-one with related_name="consultant"; accounts does not import it.
    return user.is_authenticated and hasattr(user, "consultant")
