"""One-time codes sent by SMS (短信验证码): sending with limits, checking with attempts.

A code is six random digits, kept only as a salted HMAC; it expires after a few minutes,
allows a few wrong attempts, and is used once. A subject (a person, an agent) gets at most
one code a minute and a handful a day, so the SMS gateway cannot be turned against a phone.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from shebao.core.errors import RuleViolation, register_rule
from shebao.core.masking import mask_phone
from shebao.portal.models import OneTimeCode
from shebao.portal.sms import sms_send

register_rule(
    "PORTAL-CODE-TOO-SOON",
    "验证码已发送，请 {seconds} 秒后再试。",
    "A code was sent just now: try again in {seconds} seconds.",
)
register_rule(
    "PORTAL-CODE-DAILY-LIMIT",
    "今日发送验证码次数已达上限，请明天再试或到服务大厅办理。",
    "Too many codes today: try again tomorrow, or come to a service hall.",
)
register_rule(
    "PORTAL-CODE-WRONG",
    "验证码不正确，还可尝试 {left} 次。",
    "The code is wrong; {left} attempts left.",
)
register_rule(
    "PORTAL-CODE-EXPIRED",
    "验证码已失效，请重新获取。",
    "The code has expired or was used up: ask for a new one.",
)

KEY_SALT = "shebao.portal.codes"

MESSAGES = {
    "citizen_activation": "【社保】您正在开通个人网上服务账户，验证码{code}，{minutes}分钟内有效。"
    "如非本人操作，请勿告知他人。",
    "citizen_login": "【社保】您的登录验证码为{code}，{minutes}分钟内有效，请勿告知他人。",
    "agent_activation": "【社保】您正在激活单位经办人账户，验证码{code}，{minutes}分钟内有效。",
    "agent_login": "【社保】您的单位网上服务登录验证码为{code}，{minutes}分钟内有效。",
    "kiosk_login": "【社保】您正在自助一体机上办理业务，验证码{code}，{minutes}分钟内有效。",
}


def _hash(salt: str, code: str) -> str:
    return salted_hmac(KEY_SALT, f"{salt}:{code}").hexdigest()


def code_send(*, purpose: str, subject: str, phone: str) -> OneTimeCode:
    """Send a new code for ``purpose`` to ``phone``; refuses when the subject asked too
    recently or too often today. The SMS goes out after the row is written (a code whose row
    a caller's transaction then rolls back is merely useless)."""
    now = timezone.now()
    with transaction.atomic():
        recent = OneTimeCode.objects.filter(
            subject=subject, created_at__gte=now - timedelta(days=1)
        ).order_by("-created_at")
        latest = recent.first()
        wait = settings.PORTAL_CODE_RESEND_SECONDS
        if latest is not None and (now - latest.created_at).total_seconds() < wait:
            left = wait - int((now - latest.created_at).total_seconds())
            raise RuleViolation("PORTAL-CODE-TOO-SOON", seconds=max(left, 1))
        if recent.count() >= settings.PORTAL_CODES_PER_DAY:
            raise RuleViolation("PORTAL-CODE-DAILY-LIMIT")
        code = f"{secrets.randbelow(1_000_000):06d}"
        salt = secrets.token_hex(16)
        row = OneTimeCode.objects.create(
            purpose=purpose,
            subject=subject,
            phone_masked=mask_phone(phone),
            salt=salt,
            code_hash=_hash(salt, code),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.PORTAL_CODE_TTL_SECONDS),
        )
    text = MESSAGES[purpose].format(code=code, minutes=settings.PORTAL_CODE_TTL_SECONDS // 60)
    sms_send(phone=phone, text=text)
    return row


def code_check(*, code_id: int, purpose: str, subject: str, code: str) -> None:
    """Accept the code once, or refuse it: wrong (attempts left), expired, used or unknown.
    A wrong attempt is counted in its own committed transaction before the refusal."""
    now = timezone.now()
    limit = settings.PORTAL_CODE_MAX_ATTEMPTS
    with transaction.atomic():
        row = (
            OneTimeCode.objects.select_for_update()
            .filter(pk=code_id, purpose=purpose, subject=subject)
            .first()
        )
        if row is None or row.used_at is not None or row.expires_at <= now or row.attempts >= limit:
            refusal = RuleViolation("PORTAL-CODE-EXPIRED")
        elif constant_time_compare(row.code_hash, _hash(row.salt, code.strip())):
            row.used_at = now
            row.save(update_fields=["used_at"])
            return
        else:
            row.attempts += 1
            row.save(update_fields=["attempts"])
            left = limit - row.attempts
            refusal = (
                RuleViolation("PORTAL-CODE-WRONG", left=left)
                if left > 0
                else RuleViolation("PORTAL-CODE-EXPIRED")
            )
    raise refusal
