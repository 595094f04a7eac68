"""Validation at the edge: a clear error naming the field (R-ACT-1 number forms, R-ACT-8 policy)."""

import pytest
from pydantic import ValidationError

from parcours.contracts.activation import ChildAnswerInput, CodeInput, IdentityInput, PasswordInput
from parcours.contracts.contact import EmailChangeInput
from parcours.contracts.recovery import IdentifierRequestInput, ResetRequestInput
from parcours.people.contact_details import EMAIL_NOT_ASCII, ascii_address, normalize_email
from parcours.people.names import comparable_name, identifier_stem
from parcours.security.password_policy import CRITERIA, unmet_criteria


def error_fields(error: ValidationError) -> set[str]:
    return {".".join(map(str, e["loc"])) for e in error.errors()}


def test_both_forms_of_a_french_mobile_are_one_number():
    """R-ACT-1: "06 12 34 56 78" and "+33612345678" are one number."""
    a = IdentityInput(channel="sms", last_name="Martin", first_name="Camille", mobile="06 12 34 56 78")
    b = IdentityInput(channel="sms", last_name="Martin", first_name="Camille", mobile="+33612345678")
    assert a.mobile == b.mobile == "+33612345678"


def test_overseas_number_with_its_country_code():
    identity = IdentityInput(channel="sms", last_name="Hoarau", first_name="Marie", mobile="+262 692 12 34 56")
    assert identity.mobile == "+262692123456"


@pytest.mark.parametrize("field,value", [
    ("mobile", "06 12"), ("mobile", "abc"), ("mobile", "01 23 45 67 89"), ("mobile", "0" * 80),
    ("email", "not-an-address"), ("email", "a@" + "b" * 400 + ".fr"),
    ("last_name", ""), ("last_name", "R2D2"), ("last_name", "x" * 150), ("first_name", "<script>"),
])
def test_malformed_identity_names_the_field(field, value):
    values = dict(channel="sms", last_name="Martin", first_name="Camille", mobile="0612345678", email="c@example.org")
    values[field] = value
    with pytest.raises(ValidationError) as error:
        IdentityInput(**values)
    assert field in error_fields(error.value)


def test_channel_needs_its_destination():
    with pytest.raises(ValidationError) as error:
        IdentityInput(channel="sms", last_name="Martin", first_name="Camille", email="c@example.org")
    assert error_fields(error.value) == {"mobile"}
    with pytest.raises(ValidationError) as error:
        IdentityInput(channel="mail", last_name="Martin", first_name="Camille", mobile="0612345678")
    assert error_fields(error.value) == {"email"}


@pytest.mark.parametrize("model, payload, field", [
    (ChildAnswerInput, {"student_ref": "s1", "is_guardian": True}, "birth_date"),
    (ChildAnswerInput, {"student_ref": "s1", "is_guardian": False, "birth_date": "1800-01-01"}, "birth_date"),
    (IdentifierRequestInput, {"channel": "mail", "mobile": "0612345678"}, "email"),
    (IdentifierRequestInput, {"channel": "sms", "email": "c@example.org"}, "mobile"),
    (ResetRequestInput, {"channel": "mail", "identifier": "s.bernard1"}, "email"),
    (EmailChangeInput, {"new_email": "a@example.org", "confirmation": "b@example.org"}, "confirmation"),
])
def test_a_rule_across_fields_names_the_field_it_is_about(model, payload, field):
    """Not an error on the input as a whole: an API layer shows it beside the field."""
    with pytest.raises(ValidationError) as error:
        model.model_validate(payload)
    assert error_fields(error.value) == {field}


def test_unknown_fields_and_wrong_types_are_refused():
    with pytest.raises(ValidationError) as error:
        IdentityInput(channel="sms", last_name="Martin", first_name="Camille", mobile="0612345678", admin=True)
    assert "admin" in error_fields(error.value)
    with pytest.raises(ValidationError) as error:
        IdentityInput(channel="fax", last_name="Martin", first_name="Camille", mobile="0612345678")
    assert "channel" in error_fields(error.value)
    with pytest.raises(ValidationError) as error:
        ChildAnswerInput(student_ref="s1", is_guardian="maybe", birth_date="2014-03-02")
    assert "is_guardian" in error_fields(error.value)


@pytest.mark.parametrize("code", ["12a456", "", "１２３４５６", "1" * 40])
def test_malformed_code(code):
    with pytest.raises(ValidationError) as error:
        CodeInput(code=code)
    assert "code" in error_fields(error.value)


def test_code_spaces_are_ignored():
    assert CodeInput(code=" 123 456 ").code == "123456"


def test_birth_date_in_the_form_layout():
    """R-ACT-7: the form asks « JJ MM AAAA »."""
    assert str(ChildAnswerInput(student_ref="s1", is_guardian=True, birth_date="21 09 2007").birth_date) == "2007-09-21"
    with pytest.raises(ValidationError, match="birth_date"):
        ChildAnswerInput(student_ref="s1", is_guardian=True)
    with pytest.raises(ValidationError) as error:
        ChildAnswerInput(student_ref="s1", is_guardian=True, birth_date="31 02 2014")
    assert "birth_date" in error_fields(error.value)
    with pytest.raises(ValidationError) as error:
        ChildAnswerInput(student_ref="../../etc", is_guardian=False)
    assert "student_ref" in error_fields(error.value)


def test_password_input_is_bounded_and_hidden_from_repr():
    with pytest.raises(ValidationError) as error:
        PasswordInput(password="A1!a" * 100, confirmation="x")
    assert "password" in error_fields(error.value)
    assert "Secret-123" not in repr(PasswordInput(password="Secret-123", confirmation="Secret-123"))


@pytest.mark.parametrize("password,unmet", [
    ("Abcdef1!", []),
    ("abcdef1!", ["uppercase"]),
    ("ABCDEF1!", ["lowercase"]),
    ("Abcdefg!", ["digit"]),
    ("Pivoine7", ["special"]),
    ("Ab1!", ["length"]),
    ("", ["length", "uppercase", "lowercase", "digit", "special"]),
    ("Mot de passe £1", []),
])
def test_password_policy_names_each_unmet_criterion(password, unmet):
    """R-ACT-8: each unmet criterion is named, in the wording of seed 003."""
    assert unmet_criteria(password) == [CRITERIA[name] for name in unmet]


def test_names_compare_without_case_or_accents():
    """R-ACT-1"""
    assert comparable_name("Éloïse") == comparable_name("ELOISE") == comparable_name("  eloïse ")
    assert comparable_name("Dupont-Lefèvre") == comparable_name("DUPONT-LEFEVRE")


def test_a_hyphen_and_a_space_between_name_parts_compare_equal():
    """A name typed with a space where the school wrote a hyphen is the same name; the parts
    themselves still have to match."""
    assert comparable_name("Dupont-Lefèvre") == comparable_name("DUPONT LEFEVRE") == comparable_name("dupont - lefevre")
    assert comparable_name("Dupont-Lefèvre") not in (comparable_name("Dupontlefevre"), comparable_name("Dupont"))


def test_identifier_stem():
    assert identifier_stem("Éloïse", "Dupont-Lefèvre") == "e.dupontlefevre"
    assert identifier_stem("Jean", "D'Artagnan") == "j.dartagnan"


@pytest.mark.parametrize("address", ["sophie😀@example.org", "élise@example.fr"])
def test_an_address_with_characters_other_than_ascii_before_the_at_is_refused_in_french(address):
    """Few mail servers take them (SMTPUTF8), and the hint says « nom@domaine.fr »: refused with
    its own words, in every input that takes an address (one field type)."""
    with pytest.raises(ValidationError) as error:
        EmailChangeInput(new_email=address, confirmation=address)
    assert error_fields(error.value) == {"new_email", "confirmation"}
    assert {e["msg"].removeprefix("Value error, ") for e in error.value.errors()} == {EMAIL_NOT_ASCII}
    with pytest.raises(ValueError, match=EMAIL_NOT_ASCII):
        normalize_email(address)  # what the school records' import reads too


def test_an_internationalized_domain_is_kept_and_mailed_in_its_ascii_form():
    assert normalize_email("Sophie@Exämple.fr") == "sophie@exämple.fr"
    assert ascii_address("sophie@exämple.fr") == "sophie@xn--exmple-cua.fr"
