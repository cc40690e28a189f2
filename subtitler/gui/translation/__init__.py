"""Translation view: an original beside the document being translated."""
