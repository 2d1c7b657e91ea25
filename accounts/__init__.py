"""accounts: people and companies, and the plumbing every app shares.

Owns: User (e-mail login, time zone, language), Company, Membership, invitations, the audit log; the allauth
adapter; mail.py (render in the recipient's language, deliver after commit), tokens.py (secret links),
ratelimits.py, schedules.py (the registry of periodic tasks: each app's tasks.py declares SCHEDULES).

May import: nothing of ours. It is the bottom of accounts ← consultants ← calendars ← booking ← waitlist, feedback
← engagements ← integrations ← reports (tests/test_architecture.py checks the order).
"""
