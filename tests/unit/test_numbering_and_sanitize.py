import threading

from sqlalchemy import select

from app.extensions import db
from app.models import Project
from app.services.numbering import formatted, next_number
from app.utils import tenant_context
from app.utils.sanitize import clean_html


def test_numbers_are_per_scope_and_per_tenant(app, tenant_a, tenant_b):
    with app.app_context():
        with tenant_context.tenant_scope(tenant_a["tenant_id"]):
            assert [next_number("p1:req") for _ in range(3)] == [1, 2, 3]
            assert formatted("CR", "p1:cr", width=3) == "CR-001"
            db.session.commit()
        with tenant_context.tenant_scope(tenant_b["tenant_id"]):
            assert next_number("p1:req") == 1
            db.session.commit()


def test_a_rolled_back_number_is_handed_out_again(app, tenant_a):
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        assert next_number("gapless") == 1
        db.session.rollback()
        assert next_number("gapless") == 1
        db.session.commit()


def test_concurrent_creators_get_distinct_numbers(app, tenant_a):
    """Threads, each with its own session and transaction, numbering projects in one scope."""
    codes, errors = [], []

    def create(index):
        try:
            with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
                code = formatted("C", "concurrent")
                db.session.add(Project(code=code, name=f"thread {index}"))
                db.session.commit()
                codes.append(code)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(codes) == [f"C-{i:04d}" for i in range(1, 9)]
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        assert len(db.session.execute(select(Project.code)).all()) == 8


def test_clean_html_keeps_formatting_and_drops_scripts():
    dirty = '<p onclick="x()">Hi <strong>there</strong><script>alert(1)</script><a href="javascript:evil()">x</a></p>'
    cleaned = clean_html(dirty)
    assert "<strong>there</strong>" in cleaned
    assert "script" not in cleaned and "onclick" not in cleaned and "javascript:" not in cleaned
    assert clean_html(None) == ""
