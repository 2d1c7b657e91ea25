"""engagements: what follows a held free session, from the outcome to the paid follow-up.

Owns: GapReport and GapItem, Engagement (the paid proposal), Payment, PaymentAttempt, Invoice (+ PDF),
StripeEvent; recording held / no-show (through booking's service), proposals, acceptance, payment providers
(Stripe Checkout, invoice), the Stripe webhook.

May import: accounts, consultants, booking, waitlist, feedback.
"""
