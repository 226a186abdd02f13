"""bodycoach.temporal."""
