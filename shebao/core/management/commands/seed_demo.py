import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from shebao.core.demo import DEMO_PASSWORD, DEMO_USERS, seed_all_apps


class Command(BaseCommand):
    help = "Load the demo data of every app (idempotent) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        seed_all_apps()
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for demo in DEMO_USERS:
            roles = ", ".join(f"{role} [{scope}]" for role, scope in demo.claims)
            self.stdout.write(f"  {demo.username:<18} {demo.agency_code:<10} {roles}")
        # Apps with logins of their own (the portal, the kiosk) describe them themselves.
        for app in apps.get_app_configs():
            if not app.name.startswith("shebao."):
                continue
            try:
                module = importlib.import_module(f"{app.name}.demo")
            except ModuleNotFoundError:
                continue
            for line in getattr(module, "demo_logins", list)():
                self.stdout.write(line)
