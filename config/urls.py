from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from booking import urls as booking_urls
from config import views as site_views
from feedback import urls as feedback_urls
from waitlist import urls as waitlist_urls

admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", site_views.home, name="home"),
    path("dashboard/", site_views.dashboard, name="dashboard"),
    path("healthz", site_views.healthz, name="healthz"),
    path("i18n/setlang/", site_views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("consultants.urls")),
    path("", include("calendars.urls")),
    # One namespace for the three apps split out of booking: the waitlist's and the survey's URL names
    # ("booking:waitlist_claim", "booking:feedback") stay as they were, in templates and in e-mailed links.
    path("", include((booking_urls.urlpatterns + waitlist_urls.urlpatterns + feedback_urls.urlpatterns,
                      "booking"))),
    path("", include("engagements.urls")),
    path("", include("integrations.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "config.views.bad_request"
handler429 = "config.views.too_many_requests"  # read by allauth's rate limits
handler500 = "config.views.server_error"
