"""The facts each document certifies, assembled from rows by pure functions."""
