"""The sign-in rules, case by case (pure functions: no app, no database)."""
from types import SimpleNamespace

import pytest

from isa.identity.rules import SecondStep, accepted_step, parse_domains, provider_for, second_step


@pytest.mark.parametrize("role,enrolled,through_provider,step", [
    ("officer", True, False, SecondStep.CODE),
    ("admin", True, False, SecondStep.CODE),
    ("officer", False, False, SecondStep.ENROL),  # must set it up before getting in
    ("admin", False, False, SecondStep.ENROL),
    ("partner", True, False, SecondStep.CODE),  # chose it: asked for it
    ("partner", False, False, SecondStep.NONE),  # a choice for partners
    ("officer", True, True, SecondStep.NONE),  # the organisation's provider answers for it
    ("partner", False, True, SecondStep.NONE),
])
def test_what_a_sign_in_still_needs(role, enrolled, through_provider, step):
    assert second_step(role, enrolled, through_provider) == step


@pytest.mark.parametrize("candidates,code,last_step,accepted", [
    ({9: "111111", 10: "222222", 11: "333333"}, "222222", 0, 10),
    ({9: "111111", 10: "222222", 11: "333333"}, "222 222", 0, 10),  # as apps show it
    ({9: "111111", 10: "222222", 11: "333333"}, "111111", 0, 9),  # a slow clock
    ({9: "111111", 10: "222222", 11: "333333"}, "222222", 10, None),  # used already: a replay
    ({9: "111111", 10: "222222", 11: "333333"}, "111111", 10, None),  # older than the last one used
    ({9: "111111", 10: "222222", 11: "333333"}, "333333", 10, 11),  # the next one is still new
    ({9: "111111", 10: "222222", 11: "333333"}, "444444", 0, None),
    ({9: "111111", 10: "222222", 11: "333333"}, "", 0, None),
])
def test_a_code_is_accepted_once_and_only_when_current(candidates, code, last_step, accepted):
    assert accepted_step(candidates, code, last_step) == accepted


@pytest.mark.parametrize("text,domains", [
    ("herts.police.uk", ["herts.police.uk"]),
    ("NHS.net, @example.nhs.uk\nnhs.net", ["example.nhs.uk", "nhs.net"]),
])
def test_email_domains_are_normalised(text, domains):
    assert parse_domains(text) == domains


@pytest.mark.parametrize("text", ["", "not a domain!", "localhost", "example..org", "*.example.org"])
def test_bad_email_domains_are_refused(text):
    with pytest.raises(ValueError):
        parse_domains(text)


def test_the_provider_for_an_email_is_the_enabled_one_covering_its_domain_exactly():
    police = SimpleNamespace(enabled=True, email_domains=["herts.police.uk"])
    off = SimpleNamespace(enabled=False, email_domains=["nhs.net"])
    assert provider_for("PC.Jones@Herts.Police.uk", [off, police]) is police
    assert provider_for("someone@nhs.net", [off, police]) is None
    assert provider_for("someone@evil-herts.police.uk", [police]) is None
    assert provider_for("someone@herts.police.uk.evil.example", [police]) is None
