"""The `make run` banner tells the operator something that works in the mode the gateway runs in."""

from __future__ import annotations

from docmesh_dev.launcher import banner, plan

DEV_KEY = "dev-abcdefghijklmnop"


def _banner(**env: str) -> str:
    mesh = plan(1, free_ports=True)
    try:
        return banner(mesh, {"DOCMESH_DEV_API_KEY": DEV_KEY, **env})
    finally:
        mesh.release_ports()


def test_in_dev_mode_it_prints_the_dev_key_and_a_curl_using_it() -> None:
    text = _banner(DOCMESH_DEV_MODE="true")
    assert f"dev API key: {DEV_KEY}" in text
    assert f'X-API-Key: {DEV_KEY}"' in text


def test_with_dev_mode_off_it_never_prints_the_dev_key_the_gateway_would_refuse() -> None:
    text = _banner(DOCMESH_DEV_MODE="false", DOCMESH_API_KEYS_FILE="/etc/docmesh/keys.json")
    assert DEV_KEY not in text


def test_with_dev_mode_off_it_says_how_to_create_a_key_and_the_curl_uses_it() -> None:
    text = _banner(DOCMESH_DEV_MODE="false", DOCMESH_API_KEYS_FILE="/etc/docmesh/keys.json")
    assert (
        "DOCMESH_KEY=$(python -m docmesh_gateway.keys create --owner <you> --file /etc/docmesh/keys.json)"
        in text
    )
    assert 'X-API-Key: $DOCMESH_KEY"' in text


def test_with_dev_mode_off_and_no_keys_file_it_says_to_set_one() -> None:
    text = _banner(DOCMESH_DEV_MODE="0")
    assert "set DOCMESH_API_KEYS_FILE" in text
    assert DEV_KEY not in text
