from typing import Any

from django.core.management.base import BaseCommand

from shebao.core.demo import DEMO_PASSWORD, DEMO_USERS, seed_all_apps


class Command(BaseCommand):
    help = "Load the demo agencies and staff (idempotent) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        seed_all_apps()
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for demo in DEMO_USERS:
            roles = ", ".join(f"{role} [{scope}]" for role, scope in demo.claims)
            self.stdout.write(f"  {demo.username:<18} {demo.agency_code:<10} {roles}")
