"""What ``chitieu serve`` and the app factory settle before serving anyone.

The key that signs session cookies: whoever knows it can sign in as anyone.
Production needs a key of its own that is random, not only long (forty times
``a`` is long). In development mode the built-in key, which is in our source,
is kept only while the server listens on this machine alone; listening beyond
it, the server signs with a random key made for this run, and says so. And
whose forwarding headers to believe: only the configured proxies'.
"""

from __future__ import annotations

import ipaddress
import secrets
from typing import TypedDict

from chitieu._errors import ChitieuError
from chitieu._settings import DEVELOPMENT_SECRET, Settings
from chitieu._strength import distinct_pair_share, estimated_bits, predictable_share

MIN_SECRET_LENGTH = 32
# A random key of 32 hexadecimal digits measures 89 bits or more here (128 really);
# forty times "a" measures 0, a short piece said again keeps few distinct pairs.
MIN_SECRET_BITS = 80
MIN_DISTINCT_PAIRS = 0.5
MAX_PREDICTABLE_STEPS = 0.75
MAKE_ONE = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def check_settings(settings: Settings) -> None:
    """Refuse to serve real users with a secret anyone can read in our source, or guess."""
    if settings.mode == "development":
        return
    key = settings.secret_key
    if key == DEVELOPMENT_SECRET or len(key) < MIN_SECRET_LENGTH:
        raise ChitieuError(
            "chế độ production cần CHITIEU_SECRET_KEY riêng, ít nhất "
            f"{MIN_SECRET_LENGTH} ký tự, tạo bằng: {MAKE_ONE} "
            "(production mode needs its own secret key)"
        )
    if (
        estimated_bits(key) < MIN_SECRET_BITS
        or distinct_pair_share(key) < MIN_DISTINCT_PAIRS
        or predictable_share(key) > MAX_PREDICTABLE_STEPS
    ):
        raise ChitieuError(
            "CHITIEU_SECRET_KEY quá dễ đoán (ký tự lặp lại hoặc theo dãy); hãy dùng một khóa "
            f"ngẫu nhiên, tạo bằng: {MAKE_ONE} (the secret key is not random enough)"
        )


def only_this_machine(host: str) -> bool:
    """Whether the listening address takes connections from this machine alone."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to any interface
        return False


def serving_settings(settings: Settings, *, host: str) -> tuple[Settings, list[str]]:
    """The settings ``chitieu serve`` runs with on ``host``, and the warnings to print first."""
    if settings.secret_key != DEVELOPMENT_SECRET:
        return settings, []
    if only_this_machine(host):
        return settings, [
            "CẢNH BÁO: chế độ phát triển ký phiên đăng nhập bằng khóa có sẵn trong mã nguồn: "
            "ai có quyền vào máy này đều có thể giả làm quản trị viên; đặt CHITIEU_SECRET_KEY "
            "trước khi cho người khác dùng (WARNING: the built-in development secret is in use)"
        ]
    random_key = secrets.token_urlsafe(48)
    return settings.model_copy(update={"secret_key": random_key}), [
        f"CẢNH BÁO: nghe trên {host} mà chưa đặt CHITIEU_SECRET_KEY: lần chạy này ký phiên đăng "
        "nhập bằng một khóa ngẫu nhiên, mọi người phải đăng nhập lại khi máy chủ khởi động lại; "
        "hãy đặt CHITIEU_SECRET_KEY và CHITIEU_MODE=production (WARNING: no secret key set, "
        "a random one is used for this run)"
    ]


class ProxyOptions(TypedDict):
    proxy_headers: bool
    forwarded_allow_ips: str | None


def uvicorn_options(settings: Settings) -> ProxyOptions:
    """Whose X-Forwarded-For and X-Forwarded-Proto to believe: only the configured proxies'.

    Uvicorn would believe any request from 127.0.0.1, so that anything on this
    machine could pose as any address and dodge the sign-in limit per address.
    """
    proxies = settings.trusted_proxies.strip()
    return ProxyOptions(proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None)
