"""Operator commands of the integrations hub: `flask crypto rotate`, `flask sandbox`."""

import json
import threading

import click


def register_integration_cli(app):
    @app.cli.group("crypto")
    def crypto():
        """Encryption keys of stored secrets."""

    @crypto.command("rotate")
    def rotate():
        """Re-encrypt every stored secret with the primary key (the first of ENCRYPTION_KEYS)."""
        from app.services.secret_rotation import rotate_all

        counts = rotate_all()
        click.echo(json.dumps(counts, indent=2))
        if counts["unreadable"]:
            raise click.ClickException(f"{counts['unreadable']} secret(s) could not be read; see above.")

    @crypto.command("generate-key")
    @click.option("--key-id", default="k1", show_default=True)
    def generate_key(key_id):
        """Print a new `id:base64key` entry for ENCRYPTION_KEYS."""
        from app.utils.crypto import generate_key_spec

        click.echo(generate_key_spec(key_id))

    @app.cli.command("sandbox")
    @click.option("--alm-port", default=8701, show_default=True)
    @click.option("--d365-port", default=8702, show_default=True)
    @click.option("--trendyol-port", default=8703, show_default=True)
    @click.option("--hepsiburada-port", default=8704, show_default=True)
    def sandbox(alm_port, d365_port, trendyol_port, hepsiburada_port):
        """Run the SAP Cloud ALM, Dynamics 365, Trendyol and Hepsiburada stand-ins on 127.0.0.1 until interrupted."""
        from app.demo.marketplace import fill_sandboxes
        from app.integrations.sandbox import CloudALMSandbox, Dynamics365Sandbox, HepsiburadaSandbox, TrendyolSandbox

        alm = CloudALMSandbox(port=alm_port).start()
        d365 = Dynamics365Sandbox(port=d365_port).start()
        marketplaces = fill_sandboxes(TrendyolSandbox(port=trendyol_port), HepsiburadaSandbox(port=hepsiburada_port))
        for server in marketplaces:
            server.start()
        click.echo(
            f"SAP Cloud ALM sandbox on {alm.url}, Dynamics 365 sandbox on {d365.url}, "
            f"Trendyol on {marketplaces[0].url}, Hepsiburada on {marketplaces[1].url}. "
            f'Faults: POST <url>/_sandbox/fault {{"mode": "rate_limit", "count": 3}}'
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            alm.stop()
            d365.stop()
            for server in marketplaces:
                server.stop()
