"""Everything Slack: one listener per surface (`listeners/`), turning what Slack delivers back
into what was typed, intake decisions, access control, replay protection, pacing, the parent
message, the sink that posts answers, and the Block Kit (`views`: the private form, its button
and App Home; `blocks`: reports, refusals and help)."""
