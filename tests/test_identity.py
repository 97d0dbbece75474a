"""Claims rules of the ``oidc`` sign-in mode (sppe_data/identity.py). Every expected
principal is written by hand from the mapping below."""

from __future__ import annotations

import pytest

from sppe_data.auth import Principal
from sppe_data.identity import NO_ROLE, SignInRefused, principal_from_claims

MAPPING = {
    "admin": ["root@cnaf.fr"],
    "cnaf": ["@cnaf.fr"],
    "reader": ["@copil.example", "Invitee@Ailleurs.example"],
    "poles": {"@caf30.example": "mediterranee", "Lea@caf33.example": "atlantique"},
}
POLES = {"idf_hdf", "centre_est", "mediterranee", "atlantique", "centre_ouest"}


def principal(claims: dict, mapping: dict = MAPPING) -> Principal:
    return principal_from_claims(claims, mapping, poles=POLES)


def refusal(claims: dict, mapping: dict = MAPPING) -> str:
    with pytest.raises(SignInRefused) as info:
        principal(claims, mapping)
    return str(info.value)


# The role mapping of the secrets ([sppe_roles]).


@pytest.mark.parametrize(
    ("email", "user_id", "role", "pole"),
    [
        ("root@cnaf.fr", "root@cnaf.fr", "admin", None),
        ("Jean.Dupont@CNAF.fr", "jean.dupont@cnaf.fr", "cnaf", None),
        ("x@caf30.example", "x@caf30.example", "pole", "mediterranee"),
        ("lea@caf33.example", "lea@caf33.example", "pole", "atlantique"),
        ("m@copil.example", "m@copil.example", "reader", None),
        ("invitee@ailleurs.example", "invitee@ailleurs.example", "reader", None),
    ],
)
def test_mapping_by_address_or_domain(email, user_id, role, pole):
    # No name claim: the e-mail is shown instead.
    assert principal({"email": email}) == Principal(user_id, user_id, role, pole)


def test_admin_listed_by_address_wins_over_its_domain():
    # root@cnaf.fr is in admin (address) and in cnaf (domain): admin is checked first.
    assert principal({"email": "ROOT@cnaf.fr"}).role == "admin"


def test_no_role_anywhere_is_refused_with_the_administrator_message():
    message = refusal({"email": "other@caf33.example", "email_verified": True})
    assert message == NO_ROLE
    assert "demandez-en un à l'administrateur" in message
    assert refusal({"email": "a@cnaf.fr"}, mapping={}) == NO_ROLE


def test_identity_is_the_lower_cased_email_and_the_name_is_shown():
    p = principal({"email": "  Claire.Martin@Cnaf.FR ", "name": "Claire  Martin", "sub": "42"})
    assert p == Principal("claire.martin@cnaf.fr", "Claire Martin", "cnaf")


def test_a_mapped_pole_that_does_not_exist_is_refused():
    mapping = {**MAPPING, "poles": {"@caf30.example": "nulle_part"}}
    assert "« nulle_part »" in refusal({"email": "x@caf30.example"}, mapping)


def test_a_single_string_entry_in_the_mapping_is_one_entry():
    # TOML may hold a string where a list is expected: it is one address, not characters.
    assert principal({"email": "a@x.fr"}, {"cnaf": "a@x.fr"}).role == "cnaf"
    assert refusal({"email": "a@x.fr"}, {"cnaf": "@"}) == NO_ROLE


# The e-mail: the only identity.


@pytest.mark.parametrize(
    "claims",
    [
        {},
        {"name": "Jean Dupont", "sub": "jdupont"},  # never the name or the sub instead
        {"email": "", "name": "Jean Dupont"},
        {"email": "   "},
        {"email": None},
    ],
)
def test_no_email_is_refused(claims):
    message = refusal({**claims, "sppe_role": "cnaf"})
    assert "votre fournisseur d'identité n'a pas transmis d'adresse e-mail" in message


@pytest.mark.parametrize(
    "email",
    [
        "jean.dupont",
        "@cnaf.fr",
        "jean@",
        "a@b@cnaf.fr",
        "jean dupont@cnaf.fr",
        "jean\x00@cnaf.fr",
        ["a@cnaf.fr"],
    ],
)
def test_an_email_that_is_not_an_address_is_refused(email):
    message = refusal({"email": email, "sppe_role": "cnaf"})
    assert "n'a pas transmis d'adresse e-mail valide" in message


# email_verified: absent or true accepted, anything else refused.


@pytest.mark.parametrize("verified", [False, "false", "FALSE ", None, 0, "0", "no", ""])
def test_an_unverified_email_is_refused(verified):
    claims = {"email": "jean@cnaf.fr", "email_verified": verified, "sppe_role": "cnaf"}
    assert "n'est pas vérifiée" in refusal(claims)


@pytest.mark.parametrize("verified", [True, "true", "True"])
def test_a_verified_email_is_accepted(verified):
    assert principal({"email": "jean@cnaf.fr", "email_verified": verified}).role == "cnaf"


def test_email_verified_absent_is_accepted():
    assert principal({"email": "jean@cnaf.fr"}).role == "cnaf"


# Role and pôle claims set by the provider.


@pytest.mark.parametrize(
    ("role_claim", "expected_role"),
    [("reader", "reader"), (["reader"], "reader"), (["reader", " Reader "], "reader"),
     ("CNAF", "cnaf"), (("admin",), "admin")],
)  # fmt: skip
def test_role_claim_as_string_or_list_wins_over_the_mapping(role_claim, expected_role):
    # root@cnaf.fr is admin in the mapping: the provider's claim decides instead.
    p = principal({"email": "root@cnaf.fr", "sppe_role": role_claim})
    assert p == Principal("root@cnaf.fr", "root@cnaf.fr", expected_role)


@pytest.mark.parametrize("role_claim", [None, "", [], ["", " "]])
def test_an_empty_role_claim_falls_back_to_the_mapping(role_claim):
    assert principal({"email": "root@cnaf.fr", "sppe_role": role_claim}).role == "admin"


def test_several_different_roles_are_refused():
    message = refusal({"email": "jean@cnaf.fr", "sppe_role": ["cnaf", "admin"]})
    assert "plusieurs valeurs pour le rôle (admin, cnaf)" in message


@pytest.mark.parametrize("role_claim", ["superuser", ["superuser"], "Administrateur"])
def test_an_unknown_role_is_refused(role_claim):
    # jean@cnaf.fr would be cnaf by the mapping: an unknown claim never falls back to it.
    message = refusal({"email": "jean@cnaf.fr", "sppe_role": role_claim})
    assert "est inconnu" in message and "rôle" in message


@pytest.mark.parametrize("role_claim", [1, ["cnaf", 2], {"role": "cnaf"}])
def test_a_role_claim_that_is_not_text_is_refused(role_claim):
    assert "illisible" in refusal({"email": "jean@cnaf.fr", "sppe_role": role_claim})


@pytest.mark.parametrize(
    ("pole_claim", "expected_pole"),
    [("atlantique", "atlantique"), (["atlantique"], "atlantique"),
     (["Atlantique", "atlantique "], "atlantique"), ("IDF_HDF", "idf_hdf")],
)  # fmt: skip
def test_pole_role_with_its_pole_as_string_or_list(pole_claim, expected_pole):
    claims = {
        "email": "agent@x.fr",
        "name": "Agent",
        "sppe_role": ["pole"],
        "sppe_pole": pole_claim,
    }
    assert principal(claims) == Principal("agent@x.fr", "Agent", "pole", expected_pole)


def test_pole_role_without_a_pole_is_refused():
    for pole_claim in (None, "", []):
        claims = {"email": "agent@x.fr", "sppe_role": "pole", "sppe_pole": pole_claim}
        assert "aucun pôle" in refusal(claims)


def test_pole_role_with_several_poles_is_refused():
    claims = {"email": "agent@x.fr", "sppe_role": "pole", "sppe_pole": ["atlantique", "idf_hdf"]}
    assert "plusieurs valeurs pour le pôle" in refusal(claims)


def test_pole_role_with_an_unknown_pole_is_refused():
    claims = {"email": "agent@x.fr", "sppe_role": "pole", "sppe_pole": "nulle_part"}
    assert "le pôle « nulle_part »" in refusal(claims)


def test_the_pole_claim_is_ignored_for_other_roles():
    claims = {"email": "jean@cnaf.fr", "sppe_role": "cnaf", "sppe_pole": ["a", "b"]}
    assert principal(claims) == Principal("jean@cnaf.fr", "jean@cnaf.fr", "cnaf")


def test_a_long_value_is_cut_in_the_message():
    message = refusal({"email": "jean@cnaf.fr", "sppe_role": "x" * 500})
    assert "x" * 39 + "…" in message and "x" * 40 not in message


def test_the_default_poles_are_those_of_the_reference():
    # poles.toml lists atlantique; "corse" is not a pôle.
    claims = {"email": "a@x.fr", "sppe_role": "pole", "sppe_pole": "atlantique"}
    assert principal_from_claims(claims, {}).pole_code == "atlantique"
    with pytest.raises(SignInRefused, match="corse"):
        principal_from_claims({**claims, "sppe_pole": "corse"}, {})
