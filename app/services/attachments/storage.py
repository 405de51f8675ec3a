"""Where attachment bytes live, behind one small interface: `put`, `get` (chunks), `delete`.

- `LocalStorage` (the embedded default): files under the instance folder, written to a temporary name and
  renamed, so a reader never sees half a file.
- `S3Storage`: any S3-compatible object store through boto3 (MinIO in docker-compose.yml, AWS S3 in
  production). Path-style addressing, because MinIO and most self-hosted stores serve buckets on a path.

Object storage is the platform's own infrastructure, like the database, not an external business system,
so it does not go through the outbound gateway (which is for connectors: OAuth, breaker, call log).
Keys are made by the attachment service: `tenants/<tenant id>/attachments/<random hex>`, never a file name.
"""

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

CHUNK = 256 * 1024
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,199}$")


class StorageError(RuntimeError):
    """The store could not be reached or refused the operation."""


class MissingObject(StorageError):
    """No object under this key (already purged, or never written)."""


def _checked(key: str) -> str:
    if not _KEY.match(key) or ".." in key or "//" in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> Iterator[bytes]:
        path = self._path(key)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise MissingObject(key) from None

        def chunks():
            with handle:
                while block := handle.read(CHUNK):
                    yield block

        return chunks()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    def __init__(self, bucket: str, endpoint_url: str | None, region: str, access_key: str, secret_key: str):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region,
            aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None,
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
            ),
        )

    def ensure_bucket(self) -> None:
        """Create the bucket when it is missing (first start of a fresh MinIO)."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        def send():
            self.client.put_object(Bucket=self.bucket, Key=_checked(key), Body=data, ContentType=content_type)

        try:
            try:
                send()
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "NoSuchBucket":
                    raise
                self.ensure_bucket()  # a fresh store (first start of MinIO): make the bucket, then once more
                send()
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"object store refused the upload: {type(exc).__name__}") from exc

    def get(self, key: str) -> Iterator[bytes]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=_checked(key))["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise MissingObject(key) from None
            raise StorageError(f"object store refused the download: {type(exc).__name__}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"object store unreachable: {type(exc).__name__}") from exc

        def chunks():
            try:
                yield from body.iter_chunks(CHUNK)
            finally:
                body.close()

        return chunks()

    def delete(self, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=_checked(key))  # idempotent: a missing key is fine
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"object store refused the delete: {type(exc).__name__}") from exc


_CACHE: dict[tuple, object] = {}


def from_config(config) -> LocalStorage | S3Storage:
    """The backend the settings name (ATTACHMENT_STORAGE = local | s3); one client per distinct setting."""
    kind = config.get("ATTACHMENT_STORAGE", "local")
    if kind == "s3":
        key = (
            "s3",
            config["ATTACHMENT_S3_BUCKET"],
            config.get("ATTACHMENT_S3_ENDPOINT_URL") or "",
            config.get("ATTACHMENT_S3_REGION") or "us-east-1",
            config.get("ATTACHMENT_S3_ACCESS_KEY_ID") or "",
            config.get("ATTACHMENT_S3_SECRET_ACCESS_KEY") or "",
        )
        if key not in _CACHE:
            _CACHE[key] = S3Storage(*key[1:])
        return _CACHE[key]
    if kind != "local":
        raise RuntimeError(f"ATTACHMENT_STORAGE must be local or s3, not {kind!r}")
    return LocalStorage(config["ATTACHMENT_LOCAL_DIR"])
