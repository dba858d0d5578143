"""Neighbourhood-alliance civic crowdfunding with the city's match funding, paid through Stripe."""
