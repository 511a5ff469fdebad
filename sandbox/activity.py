"""Deterministic forum mutations for sync tests: new posts, edits, deletions, answers, likes, votes.

`apply` changes an existing forum the way a day of real use would, from a seed, and returns what
it did so a test can check that a sync picked up exactly that.
"""

from __future__ import annotations

import random

from sandbox.state import LIKE, Forum, Post, Topic, User

REPLIES = (
    "Merci pour ce retour, je vais essayer cette piste dès demain et je vous tiens au courant.",
    "De mon côté j'ai eu le même souci l'an dernier : l'équipe d'appui m'a aidé à le résoudre.",
    "Bonne question ! Il faut regarder la convention signée avec le client avant toute chose.",
    "Je confirme, c'est la procédure habituelle dans notre coopérative depuis deux ans.",
)


def _authors(forum: Forum) -> list[User]:
    now = forum.clock()
    return [
        user
        for _, user in sorted(forum.users.items())
        if user.id > 0
        and not user.staged
        and user.active
        and not (user.suspended_till and user.suspended_till > now)
    ]


def _live_topics(forum: Forum) -> list[Topic]:
    return [topic for _, topic in sorted(forum.topics.items()) if forum.is_counted_topic(topic)]


def _live_posts(forum: Forum) -> list[Post]:
    return [
        post
        for topic in _live_topics(forum)
        for post in forum.topic_posts(topic, with_deleted=False)
        if post.post_type == 1 and not post.hidden
    ]


def apply(
    forum: Forum,
    seed: int = 0,
    new_posts: int = 0,
    edits: int = 0,
    deletes: int = 0,
    accepts: int = 0,
    likes: int = 0,
    unaccepts: int = 0,
    new_users: int = 0,
    joins: int = 0,
    leaves: int = 0,
) -> dict:
    """Mutate `forum` deterministically for `seed`; every fifth new post opens a new topic.

    Edits, deletions, answers and likes touch posts that existed before this call; unaccepts
    clear solutions; new users join no group; joins and leaves move members in and out of
    custom groups. Returns the ids involved: new_posts, new_topics, edited, deleted, accepted,
    likes ([post_id, username]), unaccepted (post ids), new_users (user ids), joined and left
    ([group name, username]).
    """
    rng = random.Random(seed)
    with forum.lock:
        authors = _authors(forum)
        old_posts = _live_posts(forum)
        topics = _live_topics(forum)
        if not authors or not topics:
            raise ValueError("the forum has no topics or no active users to work with")
        done: dict[str, list] = {
            "new_posts": [],
            "new_topics": [],
            "edited": [],
            "deleted": [],
            "accepted": [],
            "likes": [],
        }
        solved = [topic for topic in topics if topic.accepted_answer_post_id is not None]
        for index in range(new_posts):
            author = rng.choice(authors)
            if index % 5 == 4:
                model = rng.choice(topics)
                title = f"Nouvelle question {seed}-{index} : qui peut m'aider ?"
                post = forum.create_topic(
                    author,
                    title,
                    rng.choice(REPLIES) + f" ({seed}-{index})",
                    category_id=model.category_id,
                )
                done["new_topics"].append(post.topic_id)
            else:
                topic = rng.choice(topics)
                text = rng.choice(REPLIES) + f" ({seed}-{index})"
                post = forum.create_post(
                    author, topic, text, reply_to_post_number=1 if rng.random() < 0.5 else None
                )
            done["new_posts"].append(post.id)
        candidates = list(old_posts)
        rng.shuffle(candidates)
        for post in candidates[:edits]:
            forum.edit_post(
                post,
                post.raw + "\n\nÉdité : précision ajoutée après relecture.",
                edit_reason="précision",
            )
            done["edited"].append(post.id)
        removable = [post for post in candidates[edits:] if post.post_number > 1]
        for post in removable[:deletes]:
            forum.delete_post(post)
            done["deleted"].append(post.id)
        done["accepted"] = _accept(forum, rng, accepts)
        done["likes"] = _like(forum, rng, authors, likes)
        done["unaccepted"] = []
        for topic in rng.sample(solved, min(unaccepts, len(solved))):
            done["unaccepted"].append(topic.accepted_answer_post_id)
            forum.unaccept_answer(topic)
        done["new_users"] = [
            forum.add_user(f"nouveau-{seed}-{index}", f"nouveau-{seed}-{index}@example.org").id
            for index in range(new_users)
        ]
        done["joined"], done["left"] = _move_members(forum, rng, authors, joins, leaves)
        return done


def _move_members(
    forum: Forum, rng: random.Random, authors: list[User], joins: int, leaves: int
) -> tuple[list[list], list[list]]:
    """Add `joins` members to custom groups and remove `leaves` members from them."""
    groups = [group for _, group in sorted(forum.groups.items()) if not group.automatic]
    joined: list[list] = []
    left: list[list] = []
    if not groups:
        return joined, left
    attempts = 0
    while len(joined) < joins and attempts < joins * 20:
        attempts += 1
        group, user = rng.choice(groups), rng.choice(authors)
        if forum.add_members(group, [user.id]):
            joined.append([group.name, user.username])
    members = [(group, user_id) for group in groups for user_id in sorted(group.members)]
    for group, user_id in rng.sample(members, min(leaves, len(members))):
        if forum.remove_members(group, [user_id]):
            left.append([group.name, forum.users[user_id].username])
    return joined, left


def _accept(forum: Forum, rng: random.Random, count: int) -> list[int]:
    accepted = []
    open_questions = [
        topic
        for topic in _live_topics(forum)
        if topic.accepted_answer_post_id is None
        and topic.category_id in forum.categories
        and forum.categories[topic.category_id].accepts_answers
    ]
    rng.shuffle(open_questions)
    for topic in open_questions:
        if len(accepted) == count:
            break
        answers = [
            post
            for post in forum.topic_posts(topic, with_deleted=False)
            if post.post_number > 1 and post.user_id != topic.user_id and post.user_id > 0
        ]
        if answers:
            answer = rng.choice(answers)
            forum.accept_answer(answer, forum.users[topic.user_id])
            accepted.append(answer.id)
    return accepted


def _like(forum: Forum, rng: random.Random, authors: list[User], count: int) -> list[list]:
    liked = []
    posts = _live_posts(forum)
    attempts = 0
    while len(liked) < count and attempts < count * 20:
        attempts += 1
        post, user = rng.choice(posts), rng.choice(authors)
        already = any(
            action.user_id == user.id and action.post_action_type_id == LIKE
            for action in forum.actions_by_post.get(post.id, [])
        )
        if post.user_id == user.id or already:
            continue
        forum.add_action(post, user, LIKE)
        liked.append([post.id, user.username])
    return liked


def cast_votes(forum: Forum, post_id: int, poll_name: str, votes: dict[str, list[str]]) -> dict:
    """Record votes `{username: [option_ids]}` in a post's poll (unknown names or options -> ValueError)."""
    with forum.lock:
        post = forum.posts.get(int(post_id))
        if post is None:
            raise ValueError(f"no post {post_id}")
        poll = next((poll for poll in post.polls if poll.name == poll_name), None)
        if poll is None:
            raise ValueError(f"post {post_id} has no poll named {poll_name!r}")
        valid = set(poll.option_ids())
        for username, options in votes.items():
            user = forum.user_by_username(username)
            if user is None:
                raise ValueError(f"unknown user {username!r}")
            if not set(options) <= valid:
                raise ValueError(f"unknown option ids for poll {poll_name!r}")
            poll.votes[user.id] = list(options)
        return {"post_id": post.id, "poll_name": poll.name, "voters": len(poll.votes)}
