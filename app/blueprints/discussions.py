"""Discussion threads (issue 17): `GET|POST .../comments` on requirements, backlog items, defects and change
requests, in the shape of incident comments (customers never see internal notes), and the project members
a comment can @mention."""

from flask import Blueprint, g, jsonify

from app.blueprints.work_items import WORK_ITEMS, noun
from app.models.attachments import DISCUSSION_TYPES
from app.schemas.attachments import DiscussionCommentSchema, MentionableSchema
from app.schemas.common import PageArgs
from app.services import discussion_service
from app.services.attachments import owners
from app.services.pagination import page_total
from app.web.auth import requires
from app.web.http import load_args, load_body
from app.web.openapi import doc
from app.web.scope import project_for

bp = Blueprint("discussions", __name__, url_prefix="/api/v1")
_schema = DiscussionCommentSchema()
_mentionable = MentionableSchema()
TAGS = ["discussions"]


def _register(object_type: str, path: str, load) -> None:
    def list_comments(project_id, **ids):
        obj = load(project_for(project_id), ids)
        args = load_args(PageArgs)
        items, total = discussion_service.list_comments(object_type, obj, g.current_user, args["limit"], args["offset"])
        return jsonify({"items": _schema.dump(items, many=True), **page_total(total)})

    def add_comment(project_id, **ids):
        project = project_for(project_id)
        obj = load(project, ids)
        data = load_body(DiscussionCommentSchema())
        comment = discussion_service.add_comment(project, object_type, obj, g.current_user, data)
        return jsonify(_schema.dump(comment)), 201

    list_view = requires(owners.RULES[object_type].read)(
        doc(
            f"The {noun(object_type)}'s discussion, oldest first (customers never see internal notes)",
            args=PageArgs,
            response=DiscussionCommentSchema,
            many=True,
            tags=TAGS,
        )(list_comments)
    )
    add_view = requires("discussions.write")(
        doc(
            f"Comment on the {noun(object_type)} (public, or an internal note for staff); @mentions notify "
            "project members",
            body=DiscussionCommentSchema,
            response=DiscussionCommentSchema,
            status=201,
            tags=TAGS,
        )(add_comment)
    )
    bp.add_url_rule(f"{path}/comments", f"list_{object_type}_comments", list_view, methods=["GET"])
    bp.add_url_rule(f"{path}/comments", f"add_{object_type}_comment", add_view, methods=["POST"])


for _object_type in DISCUSSION_TYPES:
    _register(_object_type, *WORK_ITEMS[_object_type])


@bp.get("/projects/<uuid:project_id>/mentionable")
@requires("projects.read")
@doc("The project's members and the @handle that mentions each", response=MentionableSchema, many=True, tags=TAGS)
def mentionable(project_id):
    items = discussion_service.member_handles(project_for(project_id))
    return jsonify({"items": _mentionable.dump(items, many=True), **page_total(len(items))})
