"""Access expectations for the resident's ballot. The scene's cycle is in the proposals phase,
so every signed-in user meets the "voting is not open" page (409); anonymous visitors 401."""


def _user(anonymous, user, **extra):
    return {
        "anonymous": anonymous,
        "resident": user,
        "officer": user,
        "officer_other_area": user,
        "admin": user,
        **extra,
    }


ROUTES = {
    "voting.ballot": _user(401, 409, url="/cycles/{cycle_slug}/ballot"),
    "voting.review": _user(401, 409, url="/cycles/{cycle_slug}/ballot/review", method="POST"),
    "voting.cast": _user(401, 409, url="/cycles/{cycle_slug}/ballot/cast", method="POST"),
}
