ROUTES = {
    "dashboard.officer": {
        "url": "/officer",
        "anonymous": 401,
        "resident": 403,
        "officer": 200,
        "officer_other_area": 200,
        "admin": 200,
    },
    "dashboard.admin": {
        "url": "/admin",
        "anonymous": 401,
        "resident": 403,
        "officer": 403,
        "officer_other_area": 403,
        "admin": 200,
    },
}
