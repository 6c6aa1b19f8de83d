"""The business effect of each account item, applied when its case is approved."""
