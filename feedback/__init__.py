"""feedback: the NPS survey after a held session and after a completed engagement.

Owns: Feedback (table booking_feedback, kept from when it lived in booking); scheduling each survey once, sending
it with a private link, the answer (changeable for a week), the detractor alert to the consultant, its admin.

May import: accounts, consultants, booking. Its URL keeps its name (`booking:feedback`) in config/urls.py.
"""
