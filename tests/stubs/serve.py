"""Run the WeCom (with 微信客服) and DingTalk (with Stream) stubs as one standalone server.

For a rehearsal of docs/DEPLOY.zh.md on a machine that cannot reach the real
platforms: point `wecom.api_base`, `dingtalk.api_base` and `dingtalk.oapi_base`
at this server and `gongdan doctor` and `gongdan serve` talk to it as they
would to WeCom and DingTalk. The stub credentials are printed at start.

    python -m tests.stubs.serve --port 9100
"""

from __future__ import annotations

import argparse
import json

from aiohttp import web

from tests.stubs.dingtalk import DingTalkStub
from tests.stubs.dingtalk_stream import StreamGateway
from tests.stubs.wecom_kf import KfStub


def build(users: set[str]) -> tuple[web.Application, dict[str, str]]:
    wecom = KfStub(users=set(users))
    ding = DingTalkStub()
    gateway = StreamGateway(client_id=ding.app_key, client_secret=ding.app_secret)
    app = wecom.app()
    ding.add_routes(app)
    gateway.add_routes(app)

    async def sent(_request: web.Request) -> web.Response:
        """What the stubs were asked to deliver, for the rehearsal to check."""
        return web.json_response({"wecom": wecom.delivered, "wecom_duplicates": wecom.duplicates,
                                  "kf": wecom.kf_sent, "dingtalk": ding.sent})

    app.router.add_get("/_stub/sent", sent)
    credentials = {
        "GONGDAN_WECOM_CORP_ID": wecom.corp_id, "GONGDAN_WECOM_SECRET": wecom.secret,
        "GONGDAN_WECOM_AGENT_ID": str(wecom.agent_id),
        "GONGDAN_DINGTALK_ROBOT_CODE": ding.app_key,
        "GONGDAN_DINGTALK_APP_SECRET": ding.app_secret,
    }
    return app, credentials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--users", default="sales.wangfang,sup.zhanggang,zhangsan",
                        help="WeCom userids the stub knows (comma-separated)")
    args = parser.parse_args()
    app, credentials = build(set(args.users.split(",")))
    print(json.dumps(credentials), flush=True)
    web.run_app(app, host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
