"""WeCom (企业微信) self-built app: inbound callback, passive replies and the send API."""
