"""One listener per Slack surface: the slash command, mentions, the private form (its button and
its submission), the message shortcut and App Home. Each acks first (Slack allows 3 s), asks
`Intake` for a decision, and acts on it through `Responder` and the views; none builds blocks."""
