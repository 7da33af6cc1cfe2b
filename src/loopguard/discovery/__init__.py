"""Stage 1, discover: which files to check, the project each belongs to, and each module's name.

``files`` walks the paths given (exclusions, ``.gitignore``), ``projects`` finds the configuration and
root that govern each file, ``modules`` names each file's module from the project's source roots.
"""
