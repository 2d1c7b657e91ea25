from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject

from accounts.selectors import company_for_user, user_is_consultant


def navigation(request):
    user = request.user
    return {
        "nav_company": SimpleLazyObject(lambda: company_for_user(user)),
        "nav_is_consultant": SimpleLazyObject(lambda: user_is_consultant(user)),
    }


def preferences(request):
    """Django's i18n and tz context processors in one: what UserPreferencesMiddleware activated."""
    language = translation.get_language()
    return {
        "LANGUAGES": settings.LANGUAGES,
        "LANGUAGE_CODE": language,
        "LANGUAGE_BIDI": language.split("-")[0] in settings.LANGUAGES_BIDI if language else False,
        "TIME_ZONE": timezone.get_current_timezone_name(),
    }
