"""The `smsbot` command."""

from __future__ import annotations

import sys
import threading
from datetime import date
from pathlib import Path

import click
from alembic.config import Config
from sqlalchemy import Engine

from smsbot.config import Settings, load_settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def settings_or_exit(**overrides: object) -> Settings:
    """The settings, or a start error that names each setting at fault (not a traceback)."""
    from pydantic import ValidationError

    try:
        return load_settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
        raise click.ClickException(f"cannot start: {problems}") from None


def schema_or_exit(engine: Engine) -> None:
    """A start error, not a loop of tracebacks, when the database is not at this release's schema."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()  # the scripts only, no database
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current != head:
        raise click.ClickException(
            f"cannot start: the database schema is at {current or 'nothing'}, this smsbot needs {head};"
            " run `smsbot db upgrade`"
        )


@click.group()
def main() -> None:
    """smsbot: SMS filing notices and conversations for loan applications."""


@main.group()
def db() -> None:
    """Database schema (Alembic)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database to REVISION (default: head)."""
    from alembic import command

    command.upgrade(alembic_config(settings_or_exit().sqlalchemy_url()), revision)


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def serve(host: str, port: int) -> None:
    """Web app and worker in one process (a laptop: SQLite and the simulator by default)."""
    from werkzeug.serving import run_simple

    from smsbot.app import create_app
    from smsbot.dependencies import runtime
    from smsbot.metrics.sends import metered
    from smsbot.worker import run_worker

    app = create_app(settings_or_exit())
    with app.app_context():
        rt = runtime()
    threading.Thread(
        target=run_worker,
        args=(rt.sessions, metered(rt.provider, rt.metrics)),
        kwargs={"settings": rt.settings},
        daemon=True,
        name="worker",
    ).start()
    base = f"http://{host}:{port}"
    click.echo(f"smsbot is running on {base} (backend: {rt.settings.backend})")
    click.echo(f"  phone simulator: {base}/dev/phone/")
    click.echo(f"  staff inbox:     {base}/staff/    (add an account: smsbot staff add NAME --role admin)")
    click.echo(f"  health:          {base}/healthz    metrics: {base}/metrics")
    click.echo("  file a sample application:")
    click.echo(
        f"  curl -s -X POST {base}/api/v1/applications -H 'Authorization: Bearer {rt.settings.api_token}' "
        '-H \'Content-Type: application/json\' -d \'{"external_id": "demo-1", "applicant": {"name": '
        '"张三", "phone": "+8613800138000", "locale": "zh-CN"}, "amount": 50000, '
        '"term_months": 12, "purpose": "养殖"}\''
    )
    run_simple(host, port, app, threaded=True, use_reloader=False)


@main.command()
def worker() -> None:
    """Send the outbox and fire due timers until stopped (run several on PostgreSQL)."""
    from smsbot.dependencies import build_runtime
    from smsbot.logs import configure_logging
    from smsbot.metrics.sends import metered
    from smsbot.worker import run_worker

    configure_logging()
    rt = build_runtime(settings_or_exit())
    schema_or_exit(rt.engine)
    if rt.settings.worker_metrics_port:
        rt.metrics.serve_counters(rt.settings.worker_metrics_port)
    click.echo(f"smsbot worker started (backend: {rt.settings.backend})")
    run_worker(rt.sessions, metered(rt.provider, rt.metrics), settings=rt.settings)


@main.group()
def events() -> None:
    """Events for the lender's system (SMSBOT_EVENTS_URL)."""


@events.command("replay")
@click.option("--since", "since_text", required=True, metavar="ISO-TIME", help="e.g. 2026-12-01T00:00:00+08:00")
def events_replay(since_text: str) -> None:
    """Send again every event recorded since ISO-TIME (UTC when it names no offset), in order per application,
    under the same webhook ids; the worker sends them."""
    from datetime import UTC, datetime

    from smsbot.db import make_engine, make_session_factory
    from smsbot.events.admin import replay_since

    try:
        since = datetime.fromisoformat(since_text)
    except ValueError as exc:
        raise click.BadParameter(f"not an ISO 8601 time: {since_text!r}", param_hint="--since") from exc
    since = since.replace(tzinfo=UTC) if since.tzinfo is None else since
    settings = load_settings()
    engine = make_engine(settings.sqlalchemy_url())
    try:
        count = replay_since(make_session_factory(engine), since)
    finally:
        engine.dispose()
    note = "" if settings.events_enabled else " (SMSBOT_EVENTS_URL is not set: no worker will send them)"
    click.echo(f"{count} events since {since.isoformat()} queued to be sent again{note}")


@main.command("eval-replies")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the report.")
@click.option("--strict", is_flag=True, help="Exit 1 on any false confirmation or missed opt-out.")
def eval_replies(path: str, as_json: bool, strict: bool) -> None:
    """Run a labelled JSON-lines set of replies through the reader and report how it reads them."""
    import json

    from states.evaluation import evaluate, format_report, load_rows

    try:
        rows = load_rows(path)
        result = evaluate(rows)
    except (ValueError, KeyError) as exc:
        raise click.ClickException(f"{path}: {exc}") from exc
    click.echo(json.dumps(result, ensure_ascii=False, default=str) if as_json else format_report(result))
    if strict and (result["false_confirm"] or result["missed_opt_out"]):
        sys.exit(1)


@main.group()
def staff() -> None:
    """Staff accounts for the inbox."""


@staff.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["agent", "admin"]), default="agent", show_default=True)
def staff_add(username: str, role: str) -> None:
    """Create a staff account. The password is prompted for (twice), or read from stdin when it is not a TTY."""
    from sqlalchemy.exc import SQLAlchemyError

    from smsbot.dependencies import build_runtime
    from smsbot.staff.accounts import AccountError, create_staff

    password = _read_password()
    rt = build_runtime(settings_or_exit())
    try:
        staff_id = create_staff(rt.sessions, username, password, role=role)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"cannot store the account ({type(exc).__name__}); run `smsbot db upgrade` first?"
        ) from exc
    finally:
        rt.engine.dispose()
    click.echo(f"staff user {username.strip().lower()} ({role}) created with id {staff_id}")


@staff.command("password")
@click.argument("username")
def staff_password(username: str) -> None:
    """Set a staff account's password (prompted for twice, or read from stdin) and end all its sessions."""
    from smsbot.dependencies import build_runtime
    from smsbot.staff.accounts import AccountError, set_password

    password = _read_password()
    rt = build_runtime(settings_or_exit())
    try:
        set_password(rt.sessions, username, password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        rt.engine.dispose()
    click.echo(f"password of {username.strip().lower()} changed; every session of {username.strip().lower()} ended")


def _read_password() -> str:
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


@main.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Default: FILE.rejected.csv")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 10_000))
def import_csv(csv_file: Path, report: Path | None, batch_size: int) -> None:
    """File applications from CSV_FILE (header: external_id, name, phone, locale, amount; optional:
    term_months, purpose, submitted_at, currency, timezone) and queue their notices; lines that cannot be
    filed go to the report. Phones in national form are read in SMSBOT_DEFAULT_REGION."""
    from smsbot.db import make_engine, make_session_factory
    from smsbot.intake.bulk_import import HeaderError, import_file

    settings = settings_or_exit()
    report = report or csv_file.with_suffix(".rejected.csv")
    engine = make_engine(settings.sqlalchemy_url())
    try:
        summary = import_file(
            make_session_factory(engine),
            csv_file,
            settings=settings,
            report=report,
            batch_size=batch_size,
            progress=True,
        )
    except HeaderError as exc:
        raise click.UsageError(str(exc)) from exc
    finally:
        engine.dispose()
    see = f" (see {report})" if summary.rejected else ""
    click.echo(f"filed {summary.filed}, duplicates {summary.duplicates}, rejected {summary.rejected}{see}")


@main.group()
def templates() -> None:
    """The SMS copy (the templates file, SMSBOT_TEMPLATES_FILE)."""


@templates.command("check")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--backend",
    type=click.Choice(["twilio", "aliyun", "simulator"]),
    help="Check for this backend (default: SMSBOT_SMS_BACKEND); aliyun needs every template's gateway code.",
)
def templates_check(file: Path | None, backend: str | None) -> None:
    """Lint every template and variant of FILE (default: SMSBOT_TEMPLATES_FILE, else the shipped file) and
    print its encoding and segments for a typical applicant, signature included (on the aliyun backend, also
    its length as the mainland gateway counts it); non-zero exit on a refusal."""
    from smsbot.config import gateway_sign_name
    from smsbot.conversation.catalogue import TemplatesError, load_catalogue
    from smsbot.conversation.template_check import check_catalogue, missing_templates

    settings = settings_or_exit(templates_file="")  # the file under check must not stop the command itself
    if backend:
        settings.sms_backend = backend  # type: ignore[assignment]
    path = str(file) if file else _env_templates_file()
    try:
        catalogue = load_catalogue(path)
    except TemplatesError as exc:
        raise click.ClickException(str(exc)) from None
    signatures = (settings.signature_for("zh"), settings.signature_for("en"))
    gateway_sign = gateway_sign_name(settings)
    checked = check_catalogue(catalogue, signatures=signatures, hotline=settings.hotline, gateway_sign=gateway_sign)
    for c in checked:
        size = f"{c.size.encoding}, {c.size.characters} chars, {c.size.segments} segment(s)" if c.size else "-"
        if c.gateway_size is not None:
            size += f"; aliyun {c.gateway_size.characters} chars, {c.gateway_size.segments} part(s)"
        verdict = "refused: " + "; ".join(c.problems) if c.problems else "ok"
        click.echo(f"{c.entry.name}: {size}: {verdict}")
    missing = missing_templates(catalogue)
    for line in missing:
        click.echo(f"{line}: refused")
    refused = sum(1 for c in checked if c.problems) + len(missing)
    if refused:
        raise click.ClickException(f"{refused} template(s) refused")
    click.echo(f"{len(checked)} templates ok")


def _env_templates_file() -> str:
    import os

    return os.environ.get("SMSBOT_TEMPLATES_FILE", "")


@main.command()
@click.option("--since", "since_text", metavar="YYYY-MM-DD", help="First filing day (default: 30 days ago).")
@click.option("--until", "until_text", metavar="YYYY-MM-DD", help="Last filing day (default: today).")
def report(since_text: str | None, until_text: str | None) -> None:
    """Print the confirmation funnel of the applications filed from --since to --until (filing days in
    SMSBOT_DEFAULT_TIMEZONE), rolled up to the latest recorded transition first."""
    from smsbot.db import make_engine, make_session_factory
    from smsbot.reports.service import current_report, default_period
    from smsbot.reports.terminal import format_report

    settings = settings_or_exit()
    since, until = default_period(settings.default_timezone)
    since, until = _day(since_text, "--since") or since, _day(until_text, "--until") or until
    engine = make_engine(settings.sqlalchemy_url())
    try:
        found = current_report(
            make_session_factory(engine), since, until, timezone=settings.default_timezone, patient=True
        )
    finally:
        engine.dispose()
    click.echo(format_report(found))


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a day (YYYY-MM-DD): {value!r}", param_hint=option) from None


@main.command()
def diagram() -> None:
    """Print the conversation state diagram (mermaid), drawn from the transition table."""
    from states.machine import mermaid_diagram

    click.echo(mermaid_diagram(), nl=False)


if __name__ == "__main__":
    sys.exit(main())
