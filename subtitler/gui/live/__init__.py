"""Live mode: captions from a microphone (or a media file played live) appended to the document as they are committed."""
