"""WeCom Customer Service (微信客服): customers outside the company, on personal WeChat."""
