from django.utils.functional import SimpleLazyObject

from accounts.selectors import company_for_user, user_is_consultant


def navigation(request):
    user = request.user
    return {
        "nav_company": SimpleLazyObject(lambda: company_for_user(user)),
        "nav_is_consultant": SimpleLazyObject(lambda: user_is_consultant(user)),
    }
