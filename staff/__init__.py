"""DWP staff: their accounts, roles and sign-in, and the /finance sign-in pages.

Platform, like ``config``: every domain package may act on a staff member's word (``config.auth``
holds the roles an actor carries), and this package imports none of them.
"""
