from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from consultants.services import ConsultantError, consultant_invite


class Command(BaseCommand):
    help = "Invite a consultant: create their account and profile and e-mail them a link to set a password."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="Their name as companies will see it.")
        parser.add_argument("--time-zone", default="", help="IANA zone, e.g. Europe/Copenhagen.")
        parser.add_argument("--language", default="", choices=["", "en", "sv", "da"])

    def handle(self, *args, email, name, time_zone, language, **options):
        try:
            # The e-mail is queued on commit of this block.
            with transaction.atomic():
                consultant = consultant_invite(email=email, name=name, time_zone=time_zone, language=language)
        except ConsultantError as e:
            raise CommandError(f"{email} is already an active consultant ({e.code}).")
        self.stdout.write(self.style.SUCCESS(
            f"Invited {consultant.user.email} as consultant '{consultant.display_name}' "
            f"(/consultants/{consultant.slug}/)"))
