"""bodycoach.landmarks."""
