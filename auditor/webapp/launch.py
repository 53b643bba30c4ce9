"""``auditor page``: start the Streamlit page of the installed package.

The page's settings are passed on streamlit's command line, so they hold wherever the
command is run (a ``.streamlit/config.toml`` is only read from the current folder):
it listens on this computer only unless ``--lan`` is given, and shows no developer menu
or Deploy button.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from importlib import resources
from typing import Any

from auditor.cli_zh import port_number

LOCAL = "localhost"
LAN = "0.0.0.0"
MAX_UPLOAD_MB = 50  # as auditor/webapp/uploads.py and .streamlit/config.toml


def app_path() -> str:
    """The page's script inside the installed package."""
    return str(resources.files("auditor.webapp") / "app.py")


def streamlit_command(port: int = 8501, lan: bool = False) -> list[str]:
    """The command that runs the page with this project's settings."""
    options = {
        "server.address": LAN if lan else LOCAL,
        "server.port": str(port),
        "server.headless": "true",
        "server.maxUploadSize": str(MAX_UPLOAD_MB),
        "browser.gatherUsageStats": "false",
        "client.toolbarMode": "viewer",
        "client.showErrorDetails": "none",
        "theme.base": "light",
    }
    command = [sys.executable, "-m", "streamlit", "run", app_path()]
    for name, value in options.items():
        command += [f"--{name}", value]
    return command


def add_page_parser(sub: Any) -> None:
    p = sub.add_parser(
        "page",
        help="启动网页界面（默认只允许本机访问：http://localhost:8501）",
        description="启动网页界面。默认只在本机监听；--lan 让局域网内其他电脑也能访问。",
    )
    p.add_argument("--port", type=port_number, default=8501, help="端口（默认8501）")
    p.add_argument(
        "--lan",
        action="store_true",
        help="在所有网络接口上监听，局域网内任何人都能打开页面并上传、查看文件；"
        "页面没有登录，预算文件属于内部资料，只在可信网络中使用",
    )
    p.set_defaults(run=run_page)


def run_page(args: argparse.Namespace) -> int:
    host = "本机所有网络接口（局域网可访问）" if args.lan else f"http://localhost:{args.port}"
    print(f"正在启动网页界面：{host}；按 Ctrl+C 停止", file=sys.stderr, flush=True)
    command = streamlit_command(args.port, args.lan)
    if os.name == "posix":  # become streamlit: a signal to this process reaches the server
        os.execv(command[0], command)
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0
