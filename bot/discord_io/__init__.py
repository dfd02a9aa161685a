"""What talks to Discord outside interactions: the reminder sender (`sender`) and the share of
Discord's global rate limit this process keeps (`budget`).

Nothing is imported here, so the engine can use the budget without loading discord.py.
"""
