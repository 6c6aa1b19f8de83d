from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shebao.core.actors import system_actor
from shebao.core.errors import RuleViolation
from shebao.core.models import User
from shebao.core.services import api_token_issue


class Command(BaseCommand):
    help = "Issue an API bearer token for USERNAME and print it (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--label", default="", help="what the token is for")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            default=[],
            help="area:read or area:write, repeatable (default *: all the user may do)",
        )
        parser.add_argument(
            "--rate-limit",
            type=int,
            default=None,
            help="requests per minute for this client (default API_RATE_LIMIT_PER_MINUTE)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['username']!r}")
        try:
            _row, token = api_token_issue(
                actor=system_actor("api_token"),
                user=user,
                label=options["label"],
                scopes=options["scopes"] or "*",
                rate_limit_per_minute=options["rate_limit"],
            )
        except RuleViolation as exc:
            raise CommandError(f"[{exc.code}] {exc.message_en}") from exc
        self.stdout.write(token)
