"""The offline demo: a fictional town over three weeks, told as a chat on the console channel
(story), with its own unit directory and task table (data/)."""
