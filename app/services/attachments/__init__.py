"""Attachments on work items (issue 17): `files` (upload, list, read, delete, restore, purge), `policy` (the
tenant's allowlist, limits, quota and retention), `owners` (the work items that take them and who may do
what), `sniff` (the type from the bytes), `storage` (local files or S3) and `thumbnails` (Pillow)."""
