"""bodycoach.store."""
