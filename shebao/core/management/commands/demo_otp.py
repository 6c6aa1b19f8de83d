from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shebao.core.demo import DEMO_OTP_KEY, demo_otp_code
from shebao.core.models import User
from shebao.core.twofactor import confirmed_device


class Command(BaseCommand):
    help = (
        "Print the current two-factor code of a demo user. Works only for an authenticator "
        "holding the published demo secret, never for a real account's."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        device = confirmed_device(user)
        if device is None:
            raise CommandError(f"{user.username} has no confirmed authenticator")
        if device.key != DEMO_OTP_KEY:
            raise CommandError(
                f"{user.username}'s authenticator does not hold the demo secret: "
                "its codes are shown only by the owner's app"
            )
        self.stdout.write(demo_otp_code(device))
