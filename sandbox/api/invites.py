"""InvitesController#create and UsersController#invited: e-mail invites and their lists."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sandbox import views
from sandbox.api.common import Controller, split_list, validation_error
from sandbox.routing import Request, Router, not_found
from sandbox.state import Invite, iso

INVITES_PER_PAGE = 40  # SiteSetting.invites_per_page
INVITE_EXPIRY = timedelta(days=90)  # SiteSetting.invite_expiry_days


class InvitesController(Controller):
    """Invites: create (or refresh) an e-mail invite, and list an inviter's invites by state."""

    def register(self, router: Router) -> None:
        """Add this controller's routes to `router`."""
        add = router.add
        add("POST", "/invites.json", self.invite_create)
        add("GET", "/u/{username}/invited.json", self.invited)

    def invite_create(self, request: Request) -> tuple[int, object]:
        """Invite.generate: an existing account -> 422; a pending invite by the same user is
        refreshed and re-sent. Its "3 a day per address" limiter exempts staff, and the sandbox
        only acts as admins, so no 429 comes from here."""
        forum = self.forum
        email = str(request.get("email") or "").strip().lower()
        if not email or "@" not in email:
            raise validation_error("Email is invalid")
        if forum.user_by_email(email) is not None:
            raise validation_error(
                f"There's no need to invite {email}, they already have an account!"
            )
        groups = []
        for group_id in split_list(request.get("group_ids")):
            groups.append(self._group_by_id(group_id))
        for name in split_list(request.get("group_names")):
            group = forum.group_by_name(name)
            if group is None:
                raise not_found()
            groups.append(group)
        now = forum.clock()
        invite = next(
            (
                invite
                for invite in forum.invites.values()
                if invite.email == email
                and invite.invited_by_id == request.user.id
                and not invite.redeemed
                and invite.created_at + INVITE_EXPIRY > now
            ),
            None,
        )
        if invite is None:
            invite_id = forum.next_id("invite")
            key = hashlib.md5(f"{invite_id}:{email}".encode()).hexdigest()[:32]
            invite = Invite(invite_id, email, key, [], now, request.user.id)
            forum.invites[invite.id] = invite
        invite.created_at = now
        invite.group_ids = list(dict.fromkeys([*invite.group_ids, *(group.id for group in groups)]))
        if request.get("custom_message") is not None:
            invite.custom_message = str(request.get("custom_message"))
        if not request.flag("skip_email"):
            invite.sent_at.append(now)
        return 200, self._invite_json(invite)

    def _invite_json(self, invite: Invite) -> dict:
        """InviteSerializer as the inviter (an admin) sees it."""
        return {
            "id": invite.id,
            "invite_key": invite.invite_key,
            "link": f"/invites/{invite.invite_key}",
            "description": None,
            "email": invite.email,
            "domain": None,
            "emailed": bool(invite.sent_at),
            "can_delete_invite": True,
            "custom_message": invite.custom_message,
            "created_at": iso(invite.created_at),
            "updated_at": iso(invite.created_at),
            "expires_at": iso(invite.created_at + INVITE_EXPIRY),
            "expired": invite.created_at + INVITE_EXPIRY <= self.forum.clock(),
            "topics": [],
            "groups": [
                views.group_json(self.forum, self.forum.groups[group_id])
                for group_id in invite.group_ids
            ],
        }

    def invited(self, request: Request) -> tuple[int, object]:
        """UsersController#invited: `filter` pending|expired|redeemed (default redeemed),
        `offset`, 40 a page, newest first; `counts` of the inviter's invites."""
        inviter = self._user_named(request.path_params["username"])
        now = self.forum.clock()
        mine = sorted(
            (
                invite
                for invite in self.forum.invites.values()
                if invite.invited_by_id == inviter.id
            ),
            key=lambda invite: (invite.created_at, invite.id),
            reverse=True,
        )
        pending = [i for i in mine if not i.redeemed and i.created_at + INVITE_EXPIRY > now]
        expired = [i for i in mine if not i.redeemed and i.created_at + INVITE_EXPIRY <= now]
        redeemed = [i for i in mine if i.redeemed]
        offset = request.int_param("offset", 0)
        wanted = str(request.get("filter") or "redeemed")
        if wanted == "redeemed":
            # redeemed invites list who joined (InvitedUserSerializer)
            invites = [
                {"id": invite.id, "redeemed_at": iso(invite.created_at), "invite_source": "email"}
                for invite in redeemed
            ]
        else:
            chosen = {"pending": pending, "expired": expired}.get(wanted, [])
            invites = [self._invite_json(invite) for invite in chosen]
        return 200, {
            "invites": invites[offset : offset + INVITES_PER_PAGE],
            "can_see_invite_details": request.user.staff or request.user.id == inviter.id,
            "counts": {
                "pending": len(pending),
                "expired": len(expired),
                "redeemed": len(redeemed),
                "total": len(pending) + len(expired),
            },
        }
