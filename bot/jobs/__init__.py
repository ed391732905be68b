"""Jobs between the bot and its workers: the job, the queue protocol with its in-process and
Redis backends, payload encryption, the one-reply index, and the worker loop."""
