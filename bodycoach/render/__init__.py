"""bodycoach.render."""
