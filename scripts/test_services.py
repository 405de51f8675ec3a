"""Find the real services for the second test pass. Prints shell exports for TEST_DATABASE_URL and
TEST_REDIS_URL, creating the test database if needed; exits 1 (with the reason on stderr) when either
service is unreachable."""
import os
import sys

PG_URL = os.environ.get("MERIDIAN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/meridian_test")
REDIS_URL = os.environ.get("MERIDIAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def check_postgres() -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    params = dict(host=url.host, port=url.port or 5432, user=url.username, password=url.password, connect_timeout=3)
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{url.database}"')


def check_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()


def main() -> int:
    for name, check in (("PostgreSQL", check_postgres), ("Redis", check_redis)):
        try:
            check()
        except Exception as exc:  # report which service and why, nothing more
            print(f"{name} is not reachable: {exc}", file=sys.stderr)
            return 1
    print(f"export TEST_DATABASE_URL='{PG_URL}' TEST_REDIS_URL='{REDIS_URL}'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
