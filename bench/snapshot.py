"""Save the HTML of the benchmark's GET pages (CSRF tokens masked), to diff before/after a rendering change.

    python -m bench.snapshot --scale 1 --out /tmp/after [--language sv]
"""

import argparse
import json
import os
import re
import sys
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="1")
    parser.add_argument("--out", required=True)
    parser.add_argument("--language", default="", help="sign the users' sessions in with this language cookie")
    args = parser.parse_args(argv)
    from bench.seed import bench_env, meta_path
    from bench.server import collectstatic

    scale = float(args.scale)
    os.environ.update(bench_env(scale))
    collectstatic(dict(os.environ))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from bench.plan import build

    meta = json.loads(meta_path(scale).read_text())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for entry in build(meta, 0):
        if entry["kind"] != "page" or entry["status"] != "ok":
            continue
        req = entry["requests"][0]
        headers = {k: v for k, v in req["headers"].items() if k != "Host"}
        if args.language:
            headers["Cookie"] += f"; {settings.LANGUAGE_COOKIE_NAME}={args.language}"
        client = Client(HTTP_HOST="127.0.0.1", headers=headers)
        row = entry["page"].replace(" ", "-")
        body = client.get(req["path"]).content.decode()
        body = re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1…", body)
        (out / f"{row}.html").write_text(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
