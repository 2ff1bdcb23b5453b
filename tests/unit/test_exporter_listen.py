"""`tftui exporter --listen`: what is accepted and how a wrong value is told."""

from __future__ import annotations

import pytest

from tftui.commands.exporter import parse_listen


@pytest.mark.parametrize("text, expected", [
    ("127.0.0.1:9838", ("127.0.0.1", 9838)),
    ("[::1]:9100", ("::1", 9100)),
    ("0.0.0.0:1", ("0.0.0.0", 1)),
])
def test_addresses_accepted(text, expected):
    assert parse_listen(text) == expected


@pytest.mark.parametrize("text, why", [
    ("9838", "expected ADDR:PORT"),
    (":9838", "expected ADDR:PORT"),
    ("localhost:9838", "expected an IP address"),
    ("127.0.0.1:http", "expected an IP address"),
    ("127.0.0.1:70000", "port out of range"),
    ("127.0.0.1:0", "port out of range"),
])
def test_wrong_values_say_what_is_wrong(text, why):
    with pytest.raises(ValueError, match=why):
        parse_listen(text)
