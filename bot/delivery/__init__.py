"""Delivery: the dispatcher that takes outbox rows to the channels with leases, pacing, rate
limits, retries and splitting (dispatch). Knows the channel contract (bot.channels.base), never
a platform's library, nor what a task is."""
