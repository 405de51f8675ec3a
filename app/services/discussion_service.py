"""Discussion threads on requirements, backlog items, defects and change requests: comments in the shape of
incident comments (sanitised content, internal notes the customer never sees), and @mentions that put a
notification in the mentioned project member's inbox.

A mention is `@` followed by a project member's e-mail address or the part of it before the `@`
(`@elif.sahin` or `@elif.sahin@demo.test`). Unknown handles are left as plain text; a handle two members
share is refused (write the whole address), and so is a customer mentioned in an internal note."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models import DiscussionComment, Notification, Project, ProjectMember, User
from app.services.attachments import owners
from app.services.pagination import paginate
from app.utils.errors import Forbidden, ValidationFailed
from app.utils.sanitize import clean_html

MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9._%+-]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)")
TITLE_MAX = 400


def list_comments(object_type: str, obj, user: User, limit: int, offset: int):
    stmt = select(DiscussionComment).where(
        DiscussionComment.object_type == object_type, DiscussionComment.object_id == obj.id
    )
    if user.role == "customer":
        stmt = stmt.where(DiscussionComment.is_internal.is_(False))  # never the internal notes
    return paginate(stmt.order_by(DiscussionComment.created_at, DiscussionComment.id), limit, offset)


def add_comment(project: Project, object_type: str, obj, user: User, data: dict) -> DiscussionComment:
    internal = bool(data.get("is_internal"))
    if internal and user.role == "customer":
        raise Forbidden("Customers cannot write internal notes.")
    content = clean_html(data["content"]).strip()
    if not content:
        raise ValidationFailed("The comment is empty.", errors={"content": ["Write something."]})
    mentioned = _mentioned_members(project, content, internal)
    comment = DiscussionComment(
        project_id=project.id,
        object_type=object_type,
        object_id=obj.id,
        author_id=user.id,
        content=content,
        is_internal=internal,
        mentions=[{"id": str(member.id), "name": member.name} for member in mentioned],
    )
    db.session.add(comment)
    db.session.flush()
    title = f"{user.name} mentioned you on {owners.label_of(object_type, obj)}: {getattr(obj, 'title', '')}"
    for member in mentioned:
        if member.id == user.id:
            continue  # writing your own name is not news to you
        db.session.add(
            Notification(
                user_id=member.id,
                kind="mention",
                subject_id=comment.id,
                project_id=project.id,
                title=title[:TITLE_MAX],
                payload={"object_type": object_type, "object_id": str(obj.id), "comment_id": str(comment.id)},
            )
        )
    db.session.commit()
    return comment


def _mentioned_members(project: Project, content: str, internal: bool) -> list[User]:
    handles = {handle.rstrip(".").lower() for handle in MENTION.findall(content)}
    if not handles:
        return []
    members = (
        db.session.execute(
            select(User)
            .join(ProjectMember, ProjectMember.user_id == User.id)
            .where(ProjectMember.project_id == project.id, User.active.is_(True))
        )
        .scalars()
        .unique()
        .all()
    )
    found: dict = {}
    problems = []
    for handle in sorted(handles):
        if "@" in handle:
            matches = [m for m in members if m.email.lower() == handle]
        else:
            matches = [m for m in members if m.email.lower().split("@", 1)[0] == handle]
        if len(matches) > 1:
            problems.append(f"@{handle} names more than one project member; write the whole e-mail address.")
        elif matches:
            member = matches[0]
            if internal and member.role == "customer":
                problems.append(f"@{handle} cannot see internal notes; mention them in a public comment.")
            found[member.id] = member
    if problems:
        raise ValidationFailed("Some mentions cannot be sent.", errors={"content": problems})
    return sorted(found.values(), key=lambda m: m.name)


def member_handles(project: Project) -> list[dict]:
    """The project's active members and the handle that mentions each (for the comment box's helper)."""
    rows = db.session.execute(
        select(User.id, User.name, User.email, User.role)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project.id, User.active.is_(True))
        .order_by(User.name)
    ).all()
    local_counts: dict[str, int] = {}
    for row in rows:
        local = row.email.lower().split("@", 1)[0]
        local_counts[local] = local_counts.get(local, 0) + 1
    return [
        {
            "id": row.id,
            "name": row.name,
            "role": row.role,
            "handle": row.email.split("@", 1)[0]
            if local_counts[row.email.lower().split("@", 1)[0]] == 1
            else row.email,
        }
        for row in rows
    ]
