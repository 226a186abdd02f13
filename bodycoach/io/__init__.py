"""bodycoach.io."""
