"""`python -m sandbox`: serve a synthetic network on a local Discourse emulator.

Also the body of `campus sandbox`. Messages are French first (`CAMPUS_LANG=en` for English). It
prints a ready-to-paste `export` line: with the documented default key (public, a local
emulator's), the key itself; with a key chosen by the environment or `--api-key`, never.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable

from sandbox.i18n import _, number
from sandbox.network import SIZES, Network, generate
from sandbox.server import API_KEY_ENV, DEFAULT_API_KEY, SandboxServer, default_api_key

WEBHOOK_SECRET_ENV = "CAMPUS_WEBHOOK_SECRET"  # the secret Campus checks deliveries with


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
    on_network: Callable[[Network], None] | None = None,
    out=sys.stdout,
) -> None:
    """Generate the network and serve it until interrupted, after printing how to use it.

    `on_network` is given the generated network before anything is served (`campus sandbox
    --export` writes its CSV files there; an exception it raises stops the sandbox)."""
    network = generate(seed, size, activity=not bare)
    if on_network is not None:
        on_network(network)
    key = api_key or default_api_key()
    server = SandboxServer(
        network, port=port, host=host, api_key=key, rate_limit_per_minute=rate_limit, seed=seed
    )
    server.bind()
    truth = network.forum.truth()
    url = server.url
    print(
        _(
            "Bac à sable Discourse prêt sur {url} ({size}, graine {seed} : {topics} sujets,"
            " {posts} messages, {users} membres).",
            url=url,
            size=size,
            seed=seed,
            **{name: number(count) for name, count in truth.items()},
        ),
        file=out,
    )
    print(_("Pour y brancher campus (api_username = system) :"), file=out)
    if key == DEFAULT_API_KEY:  # the documented local default, not a secret: say it
        print(
            f"  export CAMPUS_DISCOURSE_URL={url} CAMPUS_DISCOURSE_API_KEY={DEFAULT_API_KEY}",
            file=out,
        )
        print(
            _(
                "Clé d'API : la clé par défaut du bac à sable, publique (définissez {env} pour"
                " en choisir une autre).",
                env=API_KEY_ENV,
            ),
            file=out,
        )
    elif api_key is None:  # chosen through the environment: point at it, never print it
        print(
            f'  export CAMPUS_DISCOURSE_URL={url} CAMPUS_DISCOURSE_API_KEY="${API_KEY_ENV}"',
            file=out,
        )
        print(
            _("Clé d'API : celle de la variable {env} (jamais affichée).", env=API_KEY_ENV),
            file=out,
        )
    else:
        print(f"  export CAMPUS_DISCOURSE_URL={url} CAMPUS_DISCOURSE_API_KEY=…", file=out)
        print(
            _(
                "Clé d'API : celle donnée par --api-key (jamais affichée) ; mettez-la dans"
                " CAMPUS_DISCOURSE_API_KEY."
            ),
            file=out,
        )
    print(_("Limite admin : {limit} requêtes/minute (0 = aucune).", limit=rate_limit), file=out)
    if webhook_url:
        server.configure_webhooks(webhook_url, os.environ.get(WEBHOOK_SECRET_ENV, ""))
        print(
            _(
                "Webhooks envoyés à {url} (signés avec {env} s'il est défini).",
                url=webhook_url,
                env=WEBHOOK_SECRET_ENV,
            ),
            file=out,
        )
    print(_("Ctrl+C pour arrêter."), file=out, flush=True)
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
    parser.add_argument("--size", choices=tuple(SIZES), default="small")
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
