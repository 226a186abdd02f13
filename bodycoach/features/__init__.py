"""bodycoach.features."""
