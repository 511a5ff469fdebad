"""The Discourse endpoints the sandbox serves: same paths, parameters, paging and JSON shapes.

One module per Discourse controller family, each holding its handlers and the routes it
registers; adding an endpoint touches that module only (a new family: one module plus its line
in `CONTROLLERS`). Facts behind each rule: /work/shared/discourse-api.md.
"""

from __future__ import annotations

from sandbox.api.badges import BadgesController
from sandbox.api.categories import CategoriesController
from sandbox.api.common import Controller
from sandbox.api.data_explorer import DataExplorerController
from sandbox.api.directory import DirectoryItemsController
from sandbox.api.groups import GroupsController
from sandbox.api.invites import InvitesController
from sandbox.api.lists import ListController
from sandbox.api.polls import PollsController
from sandbox.api.post_actions import PostActionsController
from sandbox.api.posts import PostsController
from sandbox.api.site import SiteController
from sandbox.api.solved import SolvedController
from sandbox.api.topics import TopicsController
from sandbox.api.user_actions import UserActionsController
from sandbox.api.users import UsersController
from sandbox.routing import Router
from sandbox.state import Forum

#: Registration order: a path is answered by the first route that matches it, so
#: `/c/{id}/show.json` (categories) must come before `/c/{slug}/{id}.json` (lists).
CONTROLLERS: tuple[type[Controller], ...] = (
    SiteController,
    CategoriesController,
    ListController,
    GroupsController,
    UsersController,
    TopicsController,
    PostsController,
    PostActionsController,
    UserActionsController,
    SolvedController,
    PollsController,
    DirectoryItemsController,
    BadgesController,
    InvitesController,
    DataExplorerController,
)


class ForumApi:
    """Every emulated endpoint, bound to one forum: the controllers and their route table."""

    def __init__(self, forum: Forum) -> None:
        self.forum = forum
        self.router = Router()
        self.controllers = [controller(forum) for controller in CONTROLLERS]
        for controller in self.controllers:
            controller.register(self.router)
