"""Dates and time: the Vietnamese deadline grammar (deadlines), the working-day calendar on
`holidays` (workdays) and the UTC-in, local-out helpers (timeutil). Pure; imports nothing of the
bot's but itself."""
