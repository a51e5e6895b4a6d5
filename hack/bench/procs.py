"""Child processes of the benchmark (azure-emulator, the operator): started with a parent-death
signal so none outlives the driver, stopped by their own pid only."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Proc:
    """One child process with stdout/stderr in files under `log_dir`."""

    def __init__(self, name: str, argv: list[str], log_dir: str, env: dict | None = None):
        self.name = name
        self.stdout_path = os.path.join(log_dir, f'{name}.out')
        self.stderr_path = os.path.join(log_dir, f'{name}.log')
        # setpriv execs the command (same pid) after asking the kernel to TERM it when we die.
        prefix = ['setpriv', '--pdeathsig', 'TERM'] if shutil.which('setpriv') else []
        with open(self.stdout_path, 'wb') as out, open(self.stderr_path, 'wb') as err:
            self.popen = subprocess.Popen(prefix + argv, stdout=out, stderr=err,
                                          stdin=subprocess.DEVNULL, env=env)
        self.pid = self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, grace: float = 30) -> None:
        if not self.alive():
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()

    def first_line(self, timeout: float) -> str:
        """The first stdout line (azure-emulator prints its base URL there)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.stdout_path, encoding='utf-8') as f:
                line = f.readline()
            if line.endswith('\n'):
                return line.strip()
            if not self.alive():
                break
            time.sleep(0.05)
        raise RuntimeError(f'{self.name} printed nothing within {timeout} s; see {self.stderr_path}')


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status == 200
    except OSError:
        return False


def http_text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.read().decode()


def wait_until(what: str, check, timeout: float, proc: Proc | None = None, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if proc is not None and not proc.alive():
            raise RuntimeError(f'{proc.name} exited while waiting for {what}; see {proc.stderr_path}')
        time.sleep(every)
    raise RuntimeError(f'timed out after {timeout:.0f} s waiting for {what}')
