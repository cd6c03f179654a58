"""Childcare providers: settings registered with a regulator, their users and bank details."""
