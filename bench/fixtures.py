"""What the plan's pages need in the seeded database: known secret links, a draft, an invoice, signed-in people.

    page_fixtures(meta) -> {"sessions": {role: session key}, "kwargs": {row: URL kwargs}}

Runs inside bench.plan (Django set up on the bench database), before the servers start. Idempotent: a second
run on a reused database finds what the first made (tokens are derived from the row ids, rows are looked up
before they are made). Models are found by class name, so the script survives a model moving between apps.

Also frees the bench bookers again: the booking POSTs of an earlier run on a reused database are removed and
their slots published again, so every run books the same slots with the same fresh companies.
"""

from datetime import timedelta
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from bench.booking_flow import DRAFT_KEY, answer_data, questionnaire_for

FIXTURE_SLOTS = 3  # the last free slots of the meta file: book step, review step, waitlist offer


def model(name: str):
    for m in apps.get_models():
        if m.__name__ == name:
            return m
    return None


def session_for(user, data: dict | None = None) -> str:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    for k, v in (data or {}).items():
        store[k] = v
    store.create()
    return store.session_key


def free_bookers(meta: dict) -> int:
    """Undo the booking POSTs of an earlier run on this database (bench bookers only)."""
    Booking, Slot = model("Booking"), model("Slot")
    ids = [b["company_id"] for b in meta["sessions"]["bookers"]]
    slots = list(Booking.objects.filter(company_id__in=ids).values_list("slot_id", flat=True))
    if not slots:
        return 0
    for name in ("WaitlistOffer",):
        m = model(name)
        if m is not None:
            m.objects.filter(booking__company_id__in=ids).update(booking=None)
    Booking.objects.filter(company_id__in=ids).delete()
    Slot.objects.filter(pk__in=slots).update(status=Slot.Status.PUBLISHED,
                                             **({"held_until": None} if hasattr(Slot, "held_until") else {}))
    return len(slots)


@transaction.atomic
def page_fixtures(meta: dict) -> dict:
    Booking, Membership, User = model("Booking"), model("Membership"), model("User")
    now = timezone.now()
    freed = free_bookers(meta)
    sessions, kwargs = {}, {}
    reserved = meta["free_slots"][-FIXTURE_SLOTS:]

    # The company with the longest history: its sessions page, a confirmation page, a manage link.
    top = (Booking.objects.exclude(company_id__in=[b["company_id"] for b in meta["sessions"]["bookers"]])
           .values("company_id").annotate(n=Count("pk")).order_by("-n", "company_id").first())
    owner = User.objects.get(pk=Membership.objects.filter(company_id=top["company_id"]).order_by("pk")
                             .values_list("user_id", flat=True)[:1].get())
    sessions["member"] = session_for(owner)
    latest = Booking.objects.filter(company_id=top["company_id"]).order_by("-slot__starts_at").first()
    kwargs["confirmation"] = {"pk": latest.pk}
    upcoming = (Booking.objects.filter(status="confirmed", slot__starts_at__gt=now).order_by("slot__starts_at", "pk")
                .first())
    token = f"benchmanage{upcoming.pk:08d}" + "m" * 24
    Booking.objects.filter(pk=upcoming.pk).update(manage_token_hash=Booking.hash_token(token))
    kwargs["manage"] = {"token": token}

    # The booking steps, as a fresh company that has not booked (the last bench booker, never used by the POSTs).
    drafter = meta["sessions"]["bookers"][-1]
    book_slot, review_slot, offer_slot = reserved[0]["id"], reserved[1]["id"], reserved[2]["id"]
    consultant_id = model("Slot").objects.values_list("consultant_id", flat=True).get(pk=review_slot)
    questionnaire = questionnaire_for(consultant_id)
    draft = {"slot": review_slot, "questionnaire": questionnaire.pk,
             "data": answer_data(questionnaire.questions.all())}
    sessions["drafter"] = session_for(User.objects.get(email=drafter["email"]), {DRAFT_KEY: draft})
    kwargs["book step"] = {"pk": book_slot}
    kwargs["review step"] = {"pk": review_slot}

    # The survey link of an answered session survey.
    Feedback = model("Feedback")
    if Feedback is not None:
        survey = Feedback.objects.filter(sent_at__isnull=False).order_by("pk").first()
        if survey is not None:
            token = f"benchsurvey{survey.pk:08d}" + "s" * 24
            Feedback.objects.filter(pk=survey.pk).update(token_hash=Feedback.hash_token(token))
            kwargs["survey"] = {"token": token}

    # A waitlist offer for the top company (the claim page a waiting company opens from its e-mail).
    Entry, Offer = model("WaitlistEntry"), model("WaitlistOffer")
    if Entry is not None and Offer is not None:
        slot = model("Slot").objects.select_related("consultant").get(pk=offer_slot)
        token = f"benchoffer{slot.pk:08d}" + "w" * 24
        offer = Offer.objects.filter(token_hash=Offer.hash_token(token) if hasattr(Offer, "hash_token")
                                     else Booking.hash_token(token)).first()
        if offer is None:
            entry, _ = Entry.objects.get_or_create(consultant=slot.consultant, company_id=top["company_id"],
                                                   defaults={"user": owner})
            Offer.objects.filter(slot=slot, status="open").update(status="expired")
            offer = Offer.objects.create(entry=entry, slot=slot, token_hash=Booking.hash_token(token),
                                         expires_at=now + timedelta(days=1), mailed_at=now)
        else:
            Offer.objects.filter(pk=offer.pk).update(expires_at=now + timedelta(days=1), status="open")
        kwargs["waitlist offer"] = {"token": token}

    # An invoice, opened by a member of the paying company.
    Invoice, Payment = model("Invoice"), model("Payment")
    if Invoice is not None and Payment is not None:
        invoice = Invoice.objects.filter(number="BENCH-000001").select_related("payment__engagement").first()
        if invoice is None:
            payment = (Payment.objects.filter(provider="invoice", invoice__isnull=True)
                       .select_related("engagement__company", "engagement__consultant").order_by("pk").first())
            e = payment.engagement
            invoice = Invoice.objects.create(
                payment=payment, year=2000, sequence=1, number="BENCH-000001", issued_on=now.date(),
                due_on=now.date() + timedelta(days=30), company_name=e.company.name,
                company_org_number=e.company.org_number, company_country=e.company.country,
                seller_name=e.consultant.display_name, description=e.title[:200], amount_minor=payment.amount_minor,
                vat_rate_bp=e.vat_rate_bp, vat_minor=payment.vat_minor, total_minor=payment.total_minor,
                currency=payment.currency)
        payer = Membership.objects.filter(company_id=invoice.payment.engagement.company_id).order_by("pk").first()
        sessions["payer"] = session_for(payer.user)
        kwargs["invoice"] = {"pk": invoice.pk}

    kwargs["profile"] = {"slug": meta["profile_slug"]}
    kwargs["month review"] = {"year": now.year, "month": now.month}
    return {"sessions": sessions, "kwargs": kwargs, "freed": freed}
