"""Back up the SQLite database while the site runs, with SQLite's online backup API.

    python manage.py backup_sqlite var/backups/probono-$(date +%F).sqlite3

The copy is one consistent snapshot (a read transaction, so writers carry on under WAL), checked with
`PRAGMA integrity_check`, and written next to PATH first and renamed into place, so PATH is never half a file.
Restore: stop the site, copy the file to the database path (SQLITE_PATH, default var/probono.sqlite3), delete any
`-wal` and `-shm` files beside it, start the site. PostgreSQL is backed up with pg_dump instead (README).
"""

import os
import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Copy the SQLite database to PATH with SQLite's online backup API (safe while the site runs)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file to write (replaced if it exists)")

    def handle(self, *args, path: str, **options):
        if connection.vendor != "sqlite":
            raise CommandError("The database is not SQLite: back up PostgreSQL with pg_dump -Fc (see the README).")
        source_path = Path(connection.settings_dict["NAME"])
        if not source_path.exists():
            raise CommandError(f"No database at {source_path}.")
        target = Path(path).resolve()
        if target == source_path.resolve():
            raise CommandError("PATH is the database itself.")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
        partial.unlink(missing_ok=True)
        source = sqlite3.connect(source_path, timeout=20)
        copy = sqlite3.connect(partial)
        try:
            with copy:
                source.backup(copy)  # one step: one read snapshot, so the copy is consistent
            result = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise CommandError(f"The copy failed its integrity check: {result}")
            copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file, no -wal beside it
            tables = copy.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        except BaseException:
            copy.close()
            partial.unlink(missing_ok=True)
            raise
        finally:
            copy.close()
            source.close()
        with open(partial, "rb") as f:
            os.fsync(f.fileno())
        partial.replace(target)
        size = target.stat().st_size
        self.stdout.write(f"Backed up {source_path} to {target} ({tables} tables, {size:,} bytes).")
