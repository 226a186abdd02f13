"""bodycoach.feedback."""
