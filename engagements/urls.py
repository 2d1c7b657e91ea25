from django.urls import path

from engagements import views

app_name = "engagements"
urlpatterns = [
    # Consultant
    path("me/outcomes/", views.outcomes, name="outcomes"),
    path("me/outcomes/<int:booking_id>/", views.outcome_record, name="outcome_record"),
    path("me/pipeline/", views.pipeline, name="pipeline"),
    path("me/sessions/<int:booking_id>/follow-up/", views.session, name="session"),
    path("me/sessions/<int:booking_id>/gap-report/", views.gap_report_edit, name="gap_report_edit"),
    path("me/sessions/<int:booking_id>/gap-report/share/", views.gap_report_share, name="gap_report_share"),
    path("me/sessions/<int:booking_id>/proposals/new/", views.engagement_new, name="engagement_new"),
    path("me/proposals/<int:pk>/edit/", views.engagement_edit, name="engagement_edit"),
    path("me/proposals/<int:pk>/send/", views.engagement_send, name="engagement_send"),
    path("me/proposals/<int:pk>/complete/", views.engagement_complete, name="engagement_complete"),
    path("me/proposals/<int:pk>/cancel/", views.engagement_cancel, name="engagement_cancel"),
    # Company (and the consultant)
    path("company/follow-ups/", views.company_follow_ups_view, name="company"),
    path("gap-reports/<int:booking_id>/", views.gap_report, name="gap_report"),
    path("proposals/<int:pk>/", views.engagement, name="engagement"),
    path("proposals/<int:pk>/accept/", views.engagement_accept, name="engagement_accept"),
    path("proposals/<int:pk>/decline/", views.engagement_decline, name="engagement_decline"),
    path("proposals/<int:pk>/pay/", views.engagement_pay, name="engagement_pay"),
    path("proposals/<int:pk>/paid/", views.checkout_success, name="checkout_success"),
    path("invoices/<int:pk>/", views.invoice, name="invoice"),
    path("invoices/<int:pk>/pdf/", views.invoice_download, name="invoice_pdf"),
    # Staff
    path("staff/invoices/", views.invoice_list, name="invoice_list"),
    path("staff/invoices/<int:pk>/mark-paid/", views.invoice_mark_paid, name="invoice_mark_paid"),
    # Stripe
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
