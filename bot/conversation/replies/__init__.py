"""Replies: core results and notices worded for people, in Chinese or English."""

from bot.conversation.replies.notices import NoticeTexts
from bot.conversation.replies.results import render_result

__all__ = ["NoticeTexts", "render_result"]
