"""Demo people and companies. Consultants are added by consultants/demo.py."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress

from accounts.models import Company, Membership, User

DEMO_PASSWORD = "probono-demo"


@dataclass
class Login:
    role: str
    email: str


def demo_user(email: str, *, name: str, language: str = "en", time_zone: str = "Europe/Stockholm",
              is_staff: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name, language=language,
                                        time_zone=time_zone, is_staff=is_staff, is_superuser=is_staff)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


COMPANIES = [
    # name, org number, country, industry, size, owner (email, name, language, zone), members
    ("Bostadsbolaget i Lidköping AB", "556677-8899", "SE", "housing", "50-249",
     ("karin@bostadsbolaget.test", "Karin Holm", "sv", "Europe/Stockholm"),
     [("oskar@bostadsbolaget.test", "Oskar Lind")]),
    ("Hygge Møbler ApS", "10150817", "DK", "retail", "10-49",
     ("mette@hyggemobler.test", "Mette Kjær", "da", "Europe/Copenhagen"),
     [("jonas@hyggemobler.test", "Jonas Berg")]),
    ("Nordic Care Group AB", "556036-0793", "SE", "health", "250+",
     ("emma@nordiccare.test", "Emma Wallin", "en", "Europe/Stockholm"), []),
    # No sessions yet and no history: the login to try booking with (the others have used their free sessions).
    ("Kafé Linnea AB", "559123-4561", "SE", "hospitality", "1-9",
     ("lina@kafelinnea.test", "Lina Ek", "sv", "Europe/Stockholm"), []),
]


# Invoice addresses and VAT numbers (made up): the Danish company is a reverse-charge buyer of the Swedish seller.
BILLING = {
    "556677-8899": ("Box 12\n531 21 Lidköping", "SE556677889901"),
    "10150817": ("Åboulevarden 1\n8000 Aarhus C", "DK10150817"),
    "556036-0793": ("Sveavägen 10\n111 57 Stockholm", "SE556036079301"),
}


# Customers whose earlier sessions fill the feedback, the wall and the pipeline. Each has had at most two free
# sessions, with different consultants, so every demo company is within the fair-use limits the site shows.
# Not printed as logins (their password is the demo password all the same).
CUSTOMERS = [
    ("Vänersborgs Cykel & Sport AB", "556702-1001", "SE", "retail", "10-49", "Per Sandberg", "sv"),
    ("Fjordhus Ejendomme A/S", "31420001", "DK", "housing", "50-249", "Louise Dahl", "da"),
    ("Tandläkarna på Torget AB", "556702-1003", "SE", "health", "10-49", "Sara Nyström", "sv"),
    ("Nordlys Rejser ApS", "31420004", "DK", "hospitality", "10-49", "Anders Holm", "da"),
    ("Kvarnby Försäkring AB", "556702-1005", "SE", "finance", "250+", "Johan Ek", "sv"),
    ("Skagen Software ApS", "31420006", "DK", "tech", "50-249", "Camilla Friis", "da"),
    ("Hemtjänst Norr AB", "556702-1007", "SE", "health", "50-249", "Elin Björk", "sv"),
    ("Mälardalens Bygg AB", "556702-1008", "SE", "manufacturing", "50-249", "Anders Ljung", "sv"),
    ("Byens Bageri ApS", "31420009", "DK", "retail", "1-9", "Sofie Lund", "da"),
    ("Region Gotland Kundtjänst", "556702-1010", "SE", "public", "250+", "Maria Hed", "sv"),
    ("Østerbro Tandklinik ApS", "31420011", "DK", "health", "1-9", "Kasper Møller", "da"),
    ("Sundsvall Energi Service AB", "556702-1012", "SE", "services", "250+", "Lars Wik", "sv"),
    ("Aarhus Cykelhandel ApS", "31420013", "DK", "retail", "10-49", "Ida Krogh", "da"),
    ("Hotell Strandbaden AB", "556702-1014", "SE", "hospitality", "50-249", "Nils Falk", "sv"),
]
CUSTOMER_ORGS = [org for _name, org, *_rest in CUSTOMERS]


def _customers() -> None:
    for i, (name, org, country, industry, size, person, lang) in enumerate(CUSTOMERS, start=1):
        company, _ = Company.objects.get_or_create(
            country=country, org_number=org, defaults={"name": name, "industry": industry, "size": size})
        owner = demo_user(f"customer{i:02d}@probono.test", name=person, language=lang,
                          time_zone="Europe/Copenhagen" if country == "DK" else "Europe/Stockholm")
        Membership.objects.get_or_create(user=owner, company=company, defaults={"role": Membership.Role.OWNER})


def seed() -> list[Login]:
    _customers()
    logins = [Login("staff", demo_user("admin@probono.test", name="Probono Admin", is_staff=True).email)]
    for name, org, country, industry, size, (email, person, lang, zone), members in COMPANIES:
        company, _ = Company.objects.get_or_create(
            country=country, org_number=org, defaults={"name": name, "industry": industry, "size": size}
        )
        if org in BILLING and not company.billing_address:
            company.billing_address, company.vat_number = BILLING[org]
            company.save(update_fields=["billing_address", "vat_number"])
        owner = demo_user(email, name=person, language=lang, time_zone=zone)
        Membership.objects.get_or_create(user=owner, company=company, defaults={"role": Membership.Role.OWNER})
        logins.append(Login("company", owner.email))
        for m_email, m_name in members:
            member = demo_user(m_email, name=m_name, language=lang, time_zone=zone)
            Membership.objects.get_or_create(user=member, company=company,
                                             defaults={"role": Membership.Role.MEMBER, "invited_by": owner})
            logins.append(Login("company", member.email))
    return logins
