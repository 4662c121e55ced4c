"""DingTalk enterprise-internal robot in HTTP mode: callback, sessionWebhook replies, robot API."""
