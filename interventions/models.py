"""Interventions (drafted outreach awaiting staff review) arrive with the agent pipeline."""
