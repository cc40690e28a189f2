"""Desktop integration without Qt: where the app's resources are, the freedesktop entry, bundled licences."""
