"""Explore-phase models (fit-to-standard workshops and their requirements)."""

from app.models.explore.requirement import ExploreRequirement  # noqa: F401
