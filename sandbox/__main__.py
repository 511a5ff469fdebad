"""`python -m sandbox`: serve a synthetic network on a local Discourse emulator.

Also the body of `campus sandbox`. Messages are French first (`CAMPUS_LANG=en` for English);
the API key itself is never printed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from sandbox.network import generate
from sandbox.server import API_KEY_ENV, DEFAULT_API_KEY, SandboxServer, default_api_key

WEBHOOK_SECRET_ENV = "CAMPUS_WEBHOOK_SECRET"  # the secret Campus checks deliveries with

MESSAGES = {
    "fr": {
        "ready": "Bac à sable Discourse prêt sur {url} ({size}, graine {seed} : {topics} sujets, {posts} messages, {users} membres).",
        "point": "Pour y brancher campus : export CAMPUS_DISCOURSE_URL={url} et CAMPUS_DISCOURSE_API_KEY=<clé du bac à sable>, api_username = system.",
        "key_default": "Clé d'API : la clé par défaut du bac à sable (variable {env} pour en choisir une autre).",
        "key_custom": "Clé d'API : celle donnée par --api-key ou {env}.",
        "limit": "Limite admin : {limit} requêtes/minute (0 = aucune).",
        "webhooks": "Webhooks envoyés à {url} (signés avec {env} s'il est défini).",
        "stop": "Ctrl+C pour arrêter.",
    },
    "en": {
        "ready": "Discourse sandbox ready at {url} ({size}, seed {seed}: {topics} topics, {posts} posts, {users} members).",
        "point": "To point campus at it: export CAMPUS_DISCOURSE_URL={url} and CAMPUS_DISCOURSE_API_KEY=<sandbox key>, api_username = system.",
        "key_default": "API key: the sandbox's default key (set {env} to choose another).",
        "key_custom": "API key: the one given by --api-key or {env}.",
        "limit": "Admin limit: {limit} requests/minute (0 = none).",
        "webhooks": "Webhooks sent to {url} (signed with {env} when set).",
        "stop": "Ctrl+C to stop.",
    },
}


def _text(key: str, **values) -> str:
    lang = "en" if os.environ.get("CAMPUS_LANG", "fr").lower().startswith("en") else "fr"
    return MESSAGES[lang][key].format(**values)


def serve(
    *,
    port: int = 8765,
    host: str = "127.0.0.1",
    seed: int = 1,
    size: str = "small",
    rate_limit: int = 60,
    bare: bool = False,
    api_key: str | None = None,
    webhook_url: str | None = None,
    out=sys.stdout,
) -> None:
    """Generate the network and serve it until interrupted, after printing how to use it."""
    network = generate(seed, size, activity=not bare)
    key = api_key or default_api_key()
    server = SandboxServer(
        network, port=port, host=host, api_key=key, rate_limit_per_minute=rate_limit, seed=seed
    )
    server.bind()
    truth = network.forum.truth()
    url = server.url
    print(_text("ready", url=url, size=size, seed=seed, **truth), file=out)
    print(_text("point", url=url), file=out)
    print(
        _text("key_default" if key == DEFAULT_API_KEY else "key_custom", env=API_KEY_ENV), file=out
    )
    print(_text("limit", limit=rate_limit), file=out)
    if webhook_url:
        server.configure_webhooks(webhook_url, os.environ.get(WEBHOOK_SECRET_ENV, ""))
        print(_text("webhooks", url=webhook_url, env=WEBHOOK_SECRET_ENV), file=out)
    print(_text("stop"), file=out, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point of `python -m sandbox`."""
    parser = argparse.ArgumentParser(
        prog="python -m sandbox", description="Discourse sandbox for Campus"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", choices=("small", "network"), default="small")
    parser.add_argument("--rate-limit", type=int, default=60)
    parser.add_argument("--bare", action="store_true", help="accounts only, nothing provisioned")
    parser.add_argument("--api-key", default=None)
    parser.add_argument(
        "--webhook-url",
        default=None,
        help=f"deliver webhooks there, signed with ${WEBHOOK_SECRET_ENV}",
    )
    args = parser.parse_args(argv)
    serve(
        port=args.port,
        host=args.host,
        seed=args.seed,
        size=args.size,
        rate_limit=args.rate_limit,
        bare=args.bare,
        api_key=args.api_key,
        webhook_url=args.webhook_url,
    )


if __name__ == "__main__":
    main()
