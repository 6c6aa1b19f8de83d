"""Post the paid contribution credits waiting in collection's queue to the account journal.

Run after each payment import (or every few minutes from the scheduler): each run posts what
is waiting, once; running it twice posts nothing more.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shebao.accounts.services.journal import postings_consume
from shebao.core.actors import system_actor
from shebao.core.money import format_yuan


class Command(BaseCommand):
    help = "Post the paid account credits waiting in the posting queue to the journal."

    def handle(self, *args: Any, **options: Any) -> None:
        done = postings_consume(actor=system_actor("post_account_credits"))
        self.stdout.write(
            f"postings={done.postings} entries={done.entries} amount={format_yuan(done.amount_fen)}"
        )
