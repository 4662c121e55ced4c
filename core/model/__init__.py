"""The domain of a custom-order factory: plain classes, no framework imports."""
