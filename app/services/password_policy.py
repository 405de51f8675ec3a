"""The password policy: what every new password must pass, wherever it is set (admin, self-service,
reset link, invitation, onboarding).

Following NIST SP 800-63B §5.1.1.2: length over composition rules, and a check against passwords known
from breaches. The breach/common list is the one zxcvbn ships (30,000 passwords from public leak corpora),
so nothing goes over the network; zxcvbn's score (0-4) is the tenant's "strength" setting.
"""

from functools import lru_cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.utils.errors import ValidationFailed

MAX_LENGTH = 200
DEFAULT_MIN_LENGTH = 12
DEFAULT_MIN_SCORE = 3
SCORE_WORDS = {0: "very weak", 1: "weak", 2: "fair", 3: "strong", 4: "very strong"}


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def problems(password: str, *, email: str, min_length: int, min_score: int, context: tuple[str, ...] = ()) -> list:
    """The reasons `password` is refused (empty when it is fine)."""
    found = []
    if len(password) < min_length:
        found.append(f"Use at least {min_length} characters.")
    if len(password) > MAX_LENGTH:
        found.append(f"Use at most {MAX_LENGTH} characters.")
    if len(set(password)) == 1:
        found.append("A password of one repeated character is not allowed.")
    lowered = password.strip().lower()
    email = (email or "").strip().lower()
    if email and lowered in {email, email.split("@")[0]}:
        found.append("The password must not be your e-mail address.")
    if lowered in _common_passwords():
        found.append("This password is on a list of common or breached passwords; choose another.")
    if not found and min_score > 0:
        # zxcvbn is quadratic in the length; the first 100 characters decide the score anyway.
        result = zxcvbn(password[:100], user_inputs=[email, *email.split("@"), *context])
        if result["score"] < min_score:
            hint = (result.get("feedback") or {}).get("warning") or "Add more words or characters."
            found.append(f"Too easy to guess ({SCORE_WORDS[result['score']]}); {SCORE_WORDS[min_score]} needed. {hint}")
    return found


def check(password: str, *, email: str, tenant=None, field: str = "password", context: tuple[str, ...] = ()) -> None:
    """Raise 422 with the reasons under `field`. The tenant's settings apply; without a tenant (onboarding)
    the defaults do."""
    min_length = tenant.password_min_length if tenant is not None else DEFAULT_MIN_LENGTH
    min_score = tenant.password_min_score if tenant is not None else DEFAULT_MIN_SCORE
    if tenant is not None:
        context = (*context, tenant.name, tenant.slug)
    found = problems(password, email=email, min_length=min_length, min_score=min_score, context=context)
    if found:
        raise ValidationFailed("The password does not meet the password policy.", errors={field: found})
