"""The templates, packaged as ``processor.templates`` (see pyproject.toml) so that an installed
program finds them with importlib.resources. The files here are for people too: the blank score
sheet and the two companion tables for the clerk, the HTML templates for a maintainer."""
