"""Everything Slack: the Bolt listeners, turning what Slack delivers back into what was typed,
intake decisions, access control, replay protection, pacing, the parent message, the sink that
posts answers, and the Block Kit views (the private form, App Home, replies)."""
