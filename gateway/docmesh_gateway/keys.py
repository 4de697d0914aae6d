"""API key administration: `python -m docmesh_gateway.keys create --owner alice --file keys.json`.

`create` prints the new key once (it cannot be recovered: only its hash is stored).
"""

from __future__ import annotations

import argparse
import os
import sys

from docmesh_gateway.auth import ApiKey, KeysFileError, generate_key, hash_key, load_keys_file, save_keys_file


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m docmesh_gateway.keys", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    default_file = os.environ.get("DOCMESH_API_KEYS_FILE", "")
    create = commands.add_parser("create", help="create a key for an owner and print it once")
    create.add_argument("--owner", required=True, help="the owner id the key acts for")
    create.add_argument(
        "--file", default=default_file, required=not default_file, help="keys file (JSON or YAML)"
    )
    listing = commands.add_parser("list", help="list owners and key hashes")
    listing.add_argument("--file", default=default_file, required=not default_file)
    revoke = commands.add_parser("revoke", help="remove a key by its hash")
    revoke.add_argument("--file", default=default_file, required=not default_file)
    revoke.add_argument("--hash", required=True, dest="key_hash")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        keys = load_keys_file(args.file, missing_ok=args.command == "create")
    except KeysFileError as error:
        print(f"error: {error}", file=sys.stderr)  # noqa: T201 - CLI output
        return 2
    if args.command == "create":
        owner = args.owner.strip()
        if not owner:
            print("error: --owner must not be empty", file=sys.stderr)  # noqa: T201
            return 2
        key = generate_key()
        keys.append(ApiKey(hash_key(key), owner))
        save_keys_file(args.file, keys)
        print(key)  # noqa: T201 - the one time the key is shown
        return 0
    if args.command == "list":
        for entry in keys:
            print(f"{entry.owner_id}\t{entry.key_hash}")  # noqa: T201
        return 0
    remaining = [k for k in keys if k.key_hash != args.key_hash]
    if len(remaining) == len(keys):
        print(f"error: no key with hash {args.key_hash}", file=sys.stderr)  # noqa: T201
        return 1
    save_keys_file(args.file, remaining)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
