"""Local stand-ins for WeCom and DingTalk, run on 127.0.0.1 random ports."""
