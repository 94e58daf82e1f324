"""Token verification with a real RSA issuer (no network: the JWKS is given inline)."""

import jwt
import pytest

from samleng.common.auth import InvalidToken, JwksSource, Role, TokenVerifier
from samleng.devstack.issuer import AUDIENCE, ISSUER, DevIssuer

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def issuer() -> DevIssuer:
    return DevIssuer.generate()


@pytest.fixture
def verifier(issuer: DevIssuer) -> TokenVerifier:
    return TokenVerifier(JwksSource(document=issuer.jwks_json()), issuer=ISSUER, audience=AUDIENCE)


async def test_a_valid_token_names_roles_and_offices(
    issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    token = issuer.token("u-1", ["officer", "not-ours"], ["commune:170201"])
    principal = await verifier.verify(token)
    assert principal.subject == "u-1"
    assert principal.roles == {Role.OFFICER}
    assert principal.offices == {"commune:170201"}


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda i: i.token("u", ["officer"], lifetime_seconds=-120), "expired"),
        (lambda i: i.token("u", ["officer"], audience="someone-else"), "audience"),
        (lambda i: i.token("u", ["officer"], issuer="https://evil.example"), "issuer"),
        (
            lambda i: DevIssuer(DevIssuer.generate().private_key, i.kid).token("u", ["officer"]),
            "signature",
        ),
        (lambda i: i.token("u", []), "no Samleng role"),
        (lambda i: i.token("u", ["officer"], lifetime_seconds=10 * 365 * 86400), "at most"),
        (lambda i: "not-a-jwt", "not a JWT"),
        (
            lambda i: jwt.encode(
                {"sub": "u", "iss": ISSUER, "aud": AUDIENCE, "exp": 9999999999, "iat": 1},
                key="",
                algorithm="none",
            ),
            "algorithm",
        ),
    ],
)
async def test_bad_tokens_are_refused_with_the_reason(
    issuer: DevIssuer, verifier: TokenVerifier, make, reason: str
) -> None:
    with pytest.raises(InvalidToken, match=reason):
        await verifier.verify(make(issuer))


async def test_keycloak_realm_roles_are_understood(
    issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    token = issuer.token("u-2", [], realm_access={"roles": ["ombudsman", "offline_access"]})
    # samleng_roles=[] takes precedence when present, so drop it to use realm roles
    claims = jwt.decode(token, options={"verify_signature": False})
    del claims["samleng_roles"]
    retoken = jwt.encode(claims, issuer.private_key, algorithm="RS256", headers={"kid": issuer.kid})
    assert (await verifier.verify(retoken)).roles == {Role.OMBUDSMAN}
