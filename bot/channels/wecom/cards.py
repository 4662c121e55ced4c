"""Passive reply XML that wechatpy has no class for (update_button), and text replies.

Values go in CDATA; a literal "]]>" is split across two sections so a user id
or text can never close the section early.
"""

from __future__ import annotations


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def passive_text_xml(to_user: str, corp_id: str, created: int, content: str) -> str:
    return (
        "<xml>"
        f"<ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(corp_id)}</FromUserName>"
        f"<CreateTime>{created}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content>"
        "</xml>"
    )


def update_button_xml(to_user: str, corp_id: str, created: int, replace_name: str) -> str:
    """Greys out the clicked card's buttons for this user (90241 update_button)."""
    return (
        "<xml>"
        f"<ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(corp_id)}</FromUserName>"
        f"<CreateTime>{created}</CreateTime>"
        "<MsgType><![CDATA[update_button]]></MsgType>"
        f"<Button><ReplaceName>{cdata(replace_name)}</ReplaceName></Button>"
        "</xml>"
    )


def textcard_body(title: str, description: str, url: str, btntxt: str = "") -> dict[str, object]:
    """A message/send textcard body within its limits (title 128, description 512 chars).

    Used for notices that link to a page (e.g. the plan); url must carry a scheme.
    """
    if not url.startswith(("http://", "https://")):
        raise ValueError("textcard url needs http:// or https://")
    card: dict[str, object] = {
        "title": title[:128],
        "description": description[:512],
        "url": url,
    }
    if btntxt:
        card["btntxt"] = btntxt[:4]
    return {"msgtype": "textcard", "textcard": card}
