"""Pure analytics over NetworkX graphs and data frames."""
