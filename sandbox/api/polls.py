"""The Poll plugin's PollsController: vote, open or close a poll, list its voters."""

from __future__ import annotations

from sandbox import views
from sandbox.api.common import Controller, split_list, validation_error
from sandbox.routing import Request, Router, invalid_parameters


class PollsController(Controller):
    """Polls, found by `post_id` and `poll_name`: vote, toggle status, voters of public polls."""

    def register(self, router: Router) -> None:
        """Add this controller's routes to `router`."""
        add = router.add
        add("PUT", "/polls/vote.json", self.poll_vote)
        add("PUT", "/polls/toggle_status.json", self.poll_toggle)
        add("GET", "/polls/voters.json", self.poll_voters)

    def _poll(self, request: Request):
        post = self._post(request.get("post_id"))
        name = str(request.get("poll_name") or "")
        poll = next((poll for poll in post.polls if poll.name == name), None)
        if poll is None:
            raise validation_error(f"No poll named '{name}' associated with this post.")
        return post, poll

    def poll_vote(self, request: Request) -> tuple[int, object]:
        post, poll = self._poll(request)
        options = split_list(request.get("options"))
        if poll.status == "closed":
            raise validation_error("This poll is closed, you cannot vote in it.")
        if not options or any(option not in poll.option_ids() for option in options):
            raise validation_error("You must select at least 1 option.")
        if poll.type == "regular" and len(options) > 1:
            raise validation_error("You can only vote for one option.")
        poll.votes[request.user.id] = options
        return 200, {"poll": views.poll_json(self.forum, poll, post, request.user), "vote": options}

    def poll_toggle(self, request: Request) -> tuple[int, object]:
        post, poll = self._poll(request)
        status = str(request.get("status") or "")
        if status not in ("open", "closed"):
            raise invalid_parameters("status")
        poll.status = status
        return 200, {"poll": views.poll_json(self.forum, poll, post, request.user)}

    def poll_voters(self, request: Request) -> tuple[int, object]:
        post, poll = self._poll(request)
        if not poll.public or not views.results_visible(self.forum, poll, post, request.user):
            raise invalid_parameters("poll_name")
        limit = min(max(request.int_param("limit", 25, minimum=-(10**9)), 1), 50)
        page = max(request.int_param("page", 1, minimum=-(10**9)), 1)
        option_filter = request.get("option_id")
        voters = {}
        for option in poll.options:
            if option_filter and option.id != option_filter:
                continue
            users = [
                self.forum.users[uid] for uid, choice in poll.votes.items() if option.id in choice
            ]
            chunk = users[(page - 1) * limit : page * limit]
            voters[option.id] = [views.basic_user(user) for user in chunk]
        return 200, {"voters": voters}
