"""What `parcours docs` generates: journey diagrams, the Temporal contract, the OpenAPI document."""
