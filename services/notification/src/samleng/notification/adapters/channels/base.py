"""The HTTP status rules the gateways share (the interface is ``ports.ChannelAdapter``)."""

from __future__ import annotations

import httpx

from samleng.notification.domain.delivery import SendFailed


def check_gateway_answer(response: httpx.Response, gateway: str) -> None:
    """Map a gateway's HTTP answer to success, a temporary or a permanent failure."""
    status = response.status_code
    if status < 300:
        return
    reason = f"{gateway} answered HTTP {status}"
    # 408/429 and 5xx pass; other 4xx mean this message will never be accepted as it is
    permanent = 400 <= status < 500 and status not in (408, 425, 429)
    raise SendFailed(reason, permanent=permanent)


async def post_json(
    client: httpx.AsyncClient, url: str, gateway: str, **options: object
) -> httpx.Response:
    """POST to a gateway, turning transport errors into temporary failures."""
    try:
        response = await client.post(url, **options)  # type: ignore[arg-type]
    except httpx.TimeoutException:
        raise SendFailed(f"{gateway} did not answer in time") from None
    except httpx.TransportError as exc:
        raise SendFailed(f"{gateway} unreachable ({type(exc).__name__})") from None
    check_gateway_answer(response, gateway)
    return response
