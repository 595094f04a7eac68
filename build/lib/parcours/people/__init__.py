"""People's details: contact details (mobiles, email addresses) and names."""
