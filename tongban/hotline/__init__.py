"""接诉即办 — the citizen hotline: complaints, learned dispatch, 吹哨报到, 回访 and 三率, hot issues."""
