"""integrations: the ways other tools reach Probono — the JSON API, outgoing webhooks, the booking widget.

Owns (webhooks): WebhookEndpoint (a consultant's or staff-wide; secret encrypted), WebhookDelivery, WebhookAttempt;
receivers.py turns pipeline steps and feedback answers into events, payloads.py says what a message holds,
services.py signs (Standard Webhooks), sends through calendars.fetch.safe_request, retries and disables.

May import: accounts, consultants, calendars, booking, waitlist, feedback, engagements. Never reports.
"""
