"""bodycoach.classifiers."""
